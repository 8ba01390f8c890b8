"""The embedded relay: committed outbox rows to this web process's own websocket clients.

Used when the channel layer is the process-local in-memory one (no Redis), so that events written by
another process (the django-q2 worker) still reach browsers connected here. Each web process relays for
itself, so several web processes work too.

The server runs without an ASGI lifespan, so the first websocket on an event loop starts the relay and the
last one to leave stops it; a reconnecting browser catches up from the outbox on its own (replay.py).

It wakes on: a nudge from this process after a commit, PostgreSQL NOTIFY (sent by `publish` in the same
transaction), and otherwise a short poll (SQLite has no notifications, and the poll is a cheap
primary-key range read). PostgreSQL may commit a lower id after a higher one (two concurrent
transactions), so skipped ids are remembered for a grace period and relayed if they appear; an id that
was rolled back never does.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

from channels.db import database_sync_to_async
from django.db import connection

from helpdesk.live.channel import NOTIFY_CHANNEL, event_message, group_send_all, latest_event_id
from helpdesk.models import LiveEvent

logger = logging.getLogger(__name__)

POLL_SECONDS = 0.05  # SQLite, or PostgreSQL while the LISTEN connection is down
LISTENING_POLL_SECONDS = 1.0  # PostgreSQL with NOTIFY: the poll only sweeps up late commits
BATCH_SIZE = 500
GAP_GRACE_SECONDS = 10.0
MAX_TRACKED_GAPS = 1000
RELISTEN_SECONDS = 2.0


def outbox_rows(*, after: int, late_ids: list[int], limit: int) -> tuple[list[LiveEvent], list[LiveEvent]]:
    """New rows after the cursor, and any of the awaited late ids that have committed since."""
    fresh = list(LiveEvent.objects.filter(id__gt=after).order_by("id")[:limit])
    late = list(LiveEvent.objects.filter(id__in=late_ids).order_by("id")) if late_ids else []
    return fresh, late


def listen_params() -> dict:
    """Connection keywords for a separate async psycopg connection to the same database."""
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)  # Django's is a sync cursor class
    return params


class OutboxRelay:
    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.wake = asyncio.Event()
        self.clients = 0
        self.task: asyncio.Task | None = None
        self.cursor = 0
        self.awaited: dict[int, float] = {}  # skipped id -> give up at (monotonic time)
        self.listening = False
        self.track_gaps = connection.vendor == "postgresql"

    def nudge(self) -> None:
        """Wake the relay now. Safe from any thread."""
        with contextlib.suppress(RuntimeError):  # the loop has closed
            self.loop.call_soon_threadsafe(self.wake.set)

    async def run(self) -> None:
        self.cursor = await database_sync_to_async(latest_event_id)()
        listener = asyncio.create_task(self.listen()) if connection.vendor == "postgresql" else None
        try:
            while True:
                self.wake.clear()
                try:
                    await self.drain()
                except Exception:  # keep relaying; a reconnecting client replays what it missed
                    logger.exception("live relay: reading the outbox failed")
                interval = LISTENING_POLL_SECONDS if self.listening else POLL_SECONDS
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.wake.wait(), timeout=interval)
        finally:
            if listener is not None:
                listener.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await listener

    async def drain(self) -> None:
        """Relay everything committed since the last drain, in id order."""
        while True:
            self._forget_expired_gaps()
            fresh, late = await database_sync_to_async(outbox_rows)(
                after=self.cursor, late_ids=list(self.awaited), limit=BATCH_SIZE
            )
            for event in late:
                self.awaited.pop(event.pk, None)
            for event in fresh:
                self._note_gap_before(event.pk)
                self.cursor = event.pk
            await group_send_all((event_message(event), event.groups) for event in [*late, *fresh])
            if len(fresh) < BATCH_SIZE:
                return

    def _note_gap_before(self, event_id: int) -> None:
        if not self.track_gaps or event_id <= self.cursor + 1:
            return
        give_up_at = time.monotonic() + GAP_GRACE_SECONDS
        # Late commits are the ids just below this one; a wide gap (e.g. an emptied outbox whose id
        # sequence moved on) is mostly ids that will never come, so only the nearest ones are awaited.
        room = MAX_TRACKED_GAPS - len(self.awaited)
        for missing in range(max(self.cursor + 1, event_id - room), event_id):
            self.awaited[missing] = give_up_at

    def _forget_expired_gaps(self) -> None:
        now = time.monotonic()
        for missing in [i for i, give_up_at in self.awaited.items() if give_up_at < now]:
            del self.awaited[missing]

    async def listen(self) -> None:
        """PostgreSQL: wake on NOTIFY; reconnect after failures (the poll covers the time between)."""
        import psycopg

        while True:
            try:
                params = await database_sync_to_async(listen_params)()
                conn = await psycopg.AsyncConnection.connect(**params, autocommit=True)
                async with conn:
                    await conn.execute(f"LISTEN {NOTIFY_CHANNEL}")
                    self.listening = True
                    self.wake.set()  # sweep up anything committed before LISTEN took effect
                    async for _ in conn.notifies():
                        self.wake.set()
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.warning(
                    "live relay: LISTEN connection failed; polling until it is back", exc_info=True
                )
            finally:
                self.listening = False
            await asyncio.sleep(RELISTEN_SECONDS)


_relays: dict[asyncio.AbstractEventLoop, OutboxRelay] = {}


def relays_running() -> bool:
    return bool(_relays)


def nudge_relays() -> None:
    """After a commit in this process: wake its relays instead of waiting for the next poll."""
    for relay in list(_relays.values()):
        relay.nudge()


def attach() -> OutboxRelay:
    """A websocket opened on the running loop: make sure a relay serves it."""
    loop = asyncio.get_running_loop()
    relay = _relays.get(loop)
    if relay is None:
        relay = _relays[loop] = OutboxRelay(loop)
    relay.clients += 1
    if relay.task is None or relay.task.done():
        relay.task = loop.create_task(relay.run(), name="live-outbox-relay")
    return relay


async def detach() -> None:
    """A websocket closed: the last one on this loop stops the relay."""
    loop = asyncio.get_running_loop()
    relay = _relays.get(loop)
    if relay is None:
        return
    relay.clients -= 1
    if relay.clients > 0:
        return
    del _relays[loop]
    if relay.task is not None:
        relay.task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await relay.task
