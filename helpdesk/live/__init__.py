"""Live updates: who hears about a change, and how it reaches their open pages.

Audience groups: "leads" (leads and admins see every ticket), "team.<id>" (agents of a team),
"agent.<id>" (one agent), "customer.<user id>" (a customer, for their own tickets' public changes).

The journey of one change:
1. `publish` writes a `LiveEvent` outbox row in the same transaction as the change (models/live.py).
2. After commit it reaches the channel layer:
   - a layer shared by all processes (channels-redis, with REDIS_URL): the producing process, web or
     worker, sends it at once;
   - the process-local in-memory layer (the embedded default): each web process's relay
     (`helpdesk.live.relay`) reads new outbox rows and sends them to its own clients. PostgreSQL wakes the
     relay with NOTIFY; SQLite is polled briefly; a producer inside the web process nudges it directly.
3. The consumer (`helpdesk.live.consumer`) turns the event into what this recipient may see
   (`helpdesk.live.fragments`). A browser that reconnects catches up from the outbox (`helpdesk.live.replay`).
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from collections.abc import Iterable

from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from helpdesk.live import relay
from helpdesk.live.channel import (  # noqa: F401 - the package's public names
    GROUP_MESSAGE_TYPE,
    NOTIFY_CHANNEL,
    event_message,
    group_send_all,
    latest_event_id,
)
from helpdesk.models import LiveEvent, Ticket
from helpdesk.permissions import agent_of, agent_team_ids
from helpdesk.unit_of_work import insert

logger = logging.getLogger(__name__)

LEADS_GROUP = "leads"


def team_group(team_id: int) -> str:
    return f"team.{team_id}"


def agent_group(agent_id: int) -> str:
    return f"agent.{agent_id}"


def customer_group(user_id: int) -> str:
    return f"customer.{user_id}"


def ticket_audience(ticket: Ticket, *, public: bool) -> list[str]:
    """Everyone allowed to see this ticket now; the customer only for public changes."""
    groups = [LEADS_GROUP]
    if ticket.team_id:
        groups.append(team_group(ticket.team_id))
    if ticket.assignee_id:
        groups.append(agent_group(ticket.assignee_id))
    if public:
        groups.append(customer_group(ticket.customer_id))
    return groups


def groups_for(user: AbstractBaseUser) -> list[str]:
    """The live groups a user may join: never more than what they may see.

    Agents: themselves and their teams (tiers reach agents through their teams, because a ticket's team
    decides who may see it); leads and admins also "leads". Everyone else: only their own tickets.
    """
    agent = agent_of(user)
    if agent is None:
        return [customer_group(user.pk)]
    groups = [agent_group(agent.pk)] + [team_group(t) for t in sorted(agent_team_ids(agent))]
    if agent.sees_all_tickets:
        groups.append(LEADS_GROUP)
    return groups


def delivers_across_processes() -> bool:
    """True when the channel layer reaches every process (Redis); False for the in-memory layer."""
    layer = get_channel_layer()
    return layer is not None and not isinstance(layer, InMemoryChannelLayer)


class _Sender:
    """Sends committed events to a cross-process channel layer from one event-loop thread per process.

    The committing code (a request, a worker task) only queues the event and goes on; the thread keeps
    its Redis connections open and sends in commit order. Should a send fail, or the process end before
    it, the browsers catch up from the outbox when they reconnect.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._queue: asyncio.Queue | None = None
        self._pid = 0

    def submit(self, message: dict, groups: list[str]) -> None:
        with self._lock:
            if self._loop is None or self._pid != os.getpid():  # first use, or a forked child
                self._start()
        self._loop.call_soon_threadsafe(self._queue.put_nowait, (message, groups))

    def _start(self) -> None:
        self._pid = os.getpid()
        self._loop = asyncio.new_event_loop()
        self._queue = asyncio.Queue()
        threading.Thread(target=self._loop.run_forever, name="live-sender", daemon=True).start()
        asyncio.run_coroutine_threadsafe(self._send_forever(), self._loop)

    async def _send_forever(self) -> None:
        while True:
            deliveries = [await self._queue.get()]
            while not self._queue.empty():  # everything committed meanwhile goes in the same sends
                deliveries.append(self._queue.get_nowait())
            try:
                await group_send_all(deliveries)
            except Exception:
                ids = [message["id"] for message, _ in deliveries]
                logger.exception("live: sending events %s to the channel layer failed", ids)


_sender = _Sender()


def publish(
    *, kind: str, groups: Iterable[str], ticket: Ticket | None = None, payload: dict | None = None
) -> LiveEvent:
    """Write one live event to the outbox. Call inside the transaction of the change it describes.

    Delivery happens only after commit, so nobody hears of a change that was rolled back.
    """
    unique_groups = list(dict.fromkeys(groups))
    event = LiveEvent(kind=kind, ticket=ticket, groups=unique_groups, payload=payload or {})
    return insert(event, then=lambda: _deliver_after_commit(event, unique_groups))


def _deliver_after_commit(event: LiveEvent, groups: list[str]) -> None:
    if delivers_across_processes():
        message = event_message(event)
        transaction.on_commit(lambda: _sender.submit(message, groups), robust=True)
        return
    # On PostgreSQL the outbox insert itself sends NOTIFY to every listening web process, at commit
    # and only then (a trigger, migration helpdesk/0005).
    if relay.relays_running():  # only a web process with open sockets runs a relay
        transaction.on_commit(relay.nudge_relays, robust=True)
