"""The live socket at /ws/queue/: authenticate, join the user's groups, forward what they may see.

Protocol (JSON both ways; see helpdesk/live/pages.py and helpdesk/live/fragments.py for the details):
- browser -> server: {"type": "subscribe", "view": ..., "last_event_id": N}, again whenever the page
  changes what it shows (queue filters); on an agent ticket page {"type": "presence", "state":
  "viewing"|"typing"|"idle"} tells the others on the same ticket (never stored);
- server -> browser: {"type": "event", "id": N, "ops": [...], "notice": "..."} per event addressed to
  the user; after a subscribe with last_event_id, the missed events (marked "replay") and then
  {"type": "caught-up", "count": n, "cursor": N}, or {"type": "reload", "cursor": N} when too much was
  missed; {"type": "presence", "user_id": N, "name": "...", "state": "viewing"|"typing"|"idle"|"left"}
  for colleagues on the same ticket; {"type": "error", "error": "..."} for a message the server cannot use.

Unauthenticated sockets are refused (close code 4401), and so is a user's socket beyond
HELPDESK_SOCKETS_PER_USER open at once (4429). Signing out closes the session's sockets (4401;
helpdesk/abuse/sockets.py). Group membership is re-read every REFRESH_SECONDS, so an agent who leaves a
team stops hearing about it without reconnecting.
"""

from __future__ import annotations

import json
import time
from collections import OrderedDict

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from helpdesk import live
from helpdesk.abuse.sockets import session_group, socket_closed, socket_opening
from helpdesk.live import relay
from helpdesk.live.fragments import NOTIFICATION_KIND, ops_for, snapshots, warm_templates
from helpdesk.live.pages import Subscribe, load_user, parse_subscribe, resolve_view
from helpdesk.live.replay import missed_events
from helpdesk.models import Ticket
from helpdesk.permissions import agent_of, can_work_ticket
from helpdesk.selectors import unread_notifications

REFRESH_SECONDS = 30.0
CLOSE_UNAUTHENTICATED = 4401
CLOSE_ACCOUNT_GONE = 4403
CLOSE_TOO_MANY_SOCKETS = 4429
ERR_NOT_JSON = "Send a JSON object."
ERR_UNKNOWN_TYPE = 'The server understands {"type": "subscribe", ...} and {"type": "presence", ...}.'
PRESENCE_STATES = ("viewing", "typing", "idle")
PRESENCE_MESSAGE_TYPE = "presence.update"


def presence_group(ticket_id: int) -> str:
    return f"presence.{ticket_id}"


def may_be_present(user, ticket_id: int) -> bool:
    """Only agents who may work the ticket show up (and see others) on it."""
    ticket = Ticket.objects.filter(pk=ticket_id).only("pk", "team_id", "assignee_id", "customer_id").first()
    return ticket is not None and agent_of(user) is not None and can_work_ticket(user, ticket)


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
        self.counted_for = None
        self.session_group = None
        self.presence_ticket: int | None = None
        self.presence_state = "viewing"
        scope_user = self.scope.get("user")
        if scope_user is None or not scope_user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        self.user = await database_sync_to_async(load_user)(scope_user.pk)
        if self.user is None:
            await self.close(code=CLOSE_ACCOUNT_GONE)
            return
        if not await socket_opening(self.user.pk):
            await self.close(code=CLOSE_TOO_MANY_SOCKETS)
            return
        self.counted_for = self.user.pk
        session = self.scope.get("session")
        if session is not None and session.session_key:
            self.session_group = session_group(session.session_key)
            await self.channel_layer.group_add(self.session_group, self.channel_name)
        self.loaded_at = time.monotonic()
        await database_sync_to_async(warm_templates)()
        await self.accept()
        if not live.delivers_across_processes():
            relay.attach()
            self.relayed = True

    async def disconnect(self, code: int) -> None:
        if self.counted_for is not None:
            await socket_closed(self.counted_for)
            self.counted_for = None
        if self.session_group is not None:
            await self.channel_layer.group_discard(self.session_group, self.channel_name)
            self.session_group = None
        await self.leave_presence()
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

    async def session_ended(self, message: dict) -> None:
        """The session signed out: nothing more reaches this socket."""
        self.view = None
        await self.close(code=CLOSE_UNAUTHENTICATED)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None, **kwargs) -> None:
        try:
            content = json.loads(text_data or "")
        except ValueError:
            content = None
        if not isinstance(content, dict):
            await self.send_json({"type": "error", "error": ERR_NOT_JSON})
            return
        if content.get("type") == "presence":
            await self.presence(content.get("state"))
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
        wanted = self.view.ticket_id if self.view.name == "ticket" else None
        if wanted != self.presence_ticket:
            await self.leave_presence()
            if wanted is not None and await database_sync_to_async(may_be_present)(self.user, wanted):
                self.presence_ticket = wanted
                self.presence_state = "viewing"
                await self.channel_layer.group_add(presence_group(wanted), self.channel_name)
                await self.announce("joined")
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

    # --- presence: who else has this ticket open, and who is typing a reply ---------------------

    async def presence(self, state: object) -> None:
        if state not in PRESENCE_STATES:
            await self.send_json(
                {"type": "error", "error": "state must be one of: " + ", ".join(PRESENCE_STATES)}
            )
            return
        if self.presence_ticket is None or state == self.presence_state:
            return
        self.presence_state = state
        await self.announce(state)

    async def announce(self, state: str, *, to: str | None = None) -> None:
        message = {
            "type": PRESENCE_MESSAGE_TYPE,
            "ticket": self.presence_ticket,
            "user_id": self.user.pk,
            "name": self.user.get_full_name() or self.user.get_username(),
            "state": state,
            "channel": self.channel_name,
        }
        if to is not None:
            await self.channel_layer.send(to, message)
        else:
            await self.channel_layer.group_send(presence_group(self.presence_ticket), message)

    async def leave_presence(self) -> None:
        if self.presence_ticket is None:
            return
        await self.announce("left")
        await self.channel_layer.group_discard(presence_group(self.presence_ticket), self.channel_name)
        self.presence_ticket = None

    async def presence_update(self, message: dict) -> None:
        """A colleague's presence on the ticket this socket shows (the sender never hears itself)."""
        if message["channel"] == self.channel_name or message["ticket"] != self.presence_ticket:
            return
        state = message["state"]
        if state == "joined":  # a newcomer: tell them who is already here
            await self.announce(self.presence_state, to=message["channel"])
            state = "viewing"
        if message["user_id"] == self.user.pk:
            return  # the same person in another tab
        await self.send_json(
            {"type": "presence", "user_id": message["user_id"], "name": message["name"], "state": state}
        )

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
