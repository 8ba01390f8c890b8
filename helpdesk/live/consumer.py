"""The live socket at /ws/queue/: authenticate, join the user's groups, forward what they may see.

Protocol (JSON both ways; see helpdesk/live/pages.py and helpdesk/live/fragments.py for the details):
- browser -> server: {"type": "subscribe", "view": ..., "last_event_id": N}, again whenever the page
  changes what it shows (queue filters);
- server -> browser: {"type": "event", "id": N, "ops": [...], "notice": "..."} per event addressed to
  the user; after a subscribe with last_event_id, the missed events (marked "replay") and then
  {"type": "caught-up", "count": n, "cursor": N}, or {"type": "reload", "cursor": N} when too much was
  missed; {"type": "error", "error": "..."} for a message the server cannot use.

Unauthenticated sockets are refused (close code 4401). Group membership is re-read every
REFRESH_SECONDS, so an agent who leaves a team stops hearing about it without reconnecting.
"""

from __future__ import annotations

import json
import time
from collections import OrderedDict

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from helpdesk import live
from helpdesk.live import relay
from helpdesk.live.fragments import NOTIFICATION_KIND, ops_for, snapshots, warm_templates
from helpdesk.live.pages import Subscribe, load_user, parse_subscribe, resolve_view
from helpdesk.live.replay import missed_events
from helpdesk.permissions import agent_of
from helpdesk.selectors import unread_notifications

REFRESH_SECONDS = 30.0
CLOSE_UNAUTHENTICATED = 4401
CLOSE_ACCOUNT_GONE = 4403
ERR_NOT_JSON = "Send a JSON object."
ERR_UNKNOWN_TYPE = 'The only message the server understands is {"type": "subscribe", ...}.'


def unread_count(user) -> int:
    return unread_notifications(user).count()


class RecentIds:
    """The ids already sent on this socket (an event reaches it once per group it is in)."""

    def __init__(self, size: int = 4096) -> None:
        self._ids: OrderedDict[int, None] = OrderedDict()
        self._size = size

    def add(self, event_id: int) -> bool:
        """Remember the id; False if it was already there."""
        if event_id in self._ids:
            return False
        self._ids[event_id] = None
        if len(self._ids) > self._size:
            self._ids.popitem(last=False)
        return True


class QueueConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self) -> None:
        self.user = None
        self.view = None
        self.joined: set[str] = set()
        self.sent = RecentIds()
        self.relayed = False
        scope_user = self.scope.get("user")
        if scope_user is None or not scope_user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        self.user = await database_sync_to_async(load_user)(scope_user.pk)
        if self.user is None:
            await self.close(code=CLOSE_ACCOUNT_GONE)
            return
        self.loaded_at = time.monotonic()
        await database_sync_to_async(warm_templates)()
        await self.accept()
        if not live.delivers_across_processes():
            relay.attach()
            self.relayed = True

    async def disconnect(self, code: int) -> None:
        for group in self.joined:
            await self.channel_layer.group_discard(group, self.channel_name)
        self.joined = set()
        if self.relayed:
            self.relayed = False
            await relay.detach()

    async def dispatch(self, message: dict) -> None:
        # Channels closes stale database connections before every handler: a hop to the database thread.
        # Live events reach the database only through database_sync_to_async (which does that itself)
        # and arrive for every open socket at once, so they skip the hop.
        if message["type"] == live.GROUP_MESSAGE_TYPE:
            await self.live_event(message)
        else:
            await super().dispatch(message)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None, **kwargs) -> None:
        try:
            content = json.loads(text_data or "")
        except ValueError:
            content = None
        if not isinstance(content, dict):
            await self.send_json({"type": "error", "error": ERR_NOT_JSON})
            return
        if content.get("type") != "subscribe":
            await self.send_json({"type": "error", "error": ERR_UNKNOWN_TYPE})
            return
        try:
            request = parse_subscribe(content)
        except ValueError as exc:
            await self.send_json({"type": "error", "error": str(exc)})
            return
        await self.subscribe(request)

    async def subscribe(self, request: Subscribe) -> None:
        self.view = await database_sync_to_async(resolve_view)(self.user, request)
        await self.join_groups()
        if request.last_event_id is not None:
            await self.catch_up(request.last_event_id)

    async def join_groups(self, *, renew: bool = False) -> None:
        """Join the user's groups and leave the others. `renew` joins again: channel layers forget
        memberships after `group_expiry` (a day by default), and agents keep queues open for long."""
        wanted = set(live.groups_for(self.user))
        for group in wanted if renew else wanted - self.joined:
            await self.channel_layer.group_add(group, self.channel_name)
        for group in self.joined - wanted:
            await self.channel_layer.group_discard(group, self.channel_name)
        self.joined = wanted

    async def catch_up(self, after: int) -> None:
        catchup = await database_sync_to_async(missed_events)(groups=self.joined, after=after)
        if catchup.reload:
            await self.send_json({"type": "reload", "cursor": catchup.cursor})
            return
        for message in catchup.events:
            await self.deliver(message, replay=True)
        await self.send_json({"type": "caught-up", "count": len(catchup.events), "cursor": catchup.cursor})

    async def live_event(self, message: dict) -> None:
        """A group message from the relay or a producer (type "live.event"): this group's new events."""
        if self.view is not None:
            for event in message["events"]:
                await self.deliver(event)

    async def deliver(self, message: dict, *, replay: bool = False) -> None:
        if not self.sent.add(message["id"]):
            return
        if time.monotonic() - self.loaded_at > REFRESH_SECONDS and not await self.refresh_user():
            return
        snapshot = await snapshots().get(message)
        ops, notice = ops_for(snapshot, self.user, self.view)
        if snapshot.kind == NOTIFICATION_KIND and agent_of(self.user) is not None:
            ops.append({"op": "bell", "count": await database_sync_to_async(unread_count)(self.user)})
        outgoing = {"type": "event", "id": message["id"], "ops": ops}
        if replay:
            outgoing["replay"] = True
        elif notice:
            outgoing["notice"] = notice
        await self.send_json(outgoing)

    async def refresh_user(self) -> bool:
        """Re-read the user's reach; close the socket if the account is gone. False when closed."""
        self.user = await database_sync_to_async(load_user)(self.user.pk)
        self.loaded_at = time.monotonic()
        if self.user is None:
            await self.close(code=CLOSE_ACCOUNT_GONE)
            return False
        await self.join_groups(renew=True)
        return True
