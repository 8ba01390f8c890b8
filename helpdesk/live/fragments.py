"""What one live event shows each recipient.

A `Snapshot` reads the ticket as it is now and renders the page partials once per event per web process
(queue row, ticket badges, history item, conversation message, portal status), shared by every socket the
event reaches. `ops_for` then picks, per recipient and page, what they may see — in memory, no queries:
- a ticket the recipient may not see (any more) is never described: an open queue or ticket page gets
  only the instruction to drop it, by number;
- customers get only public changes to their own tickets, rendered as the portal shows them, so internal
  notes never reach them.

Operations sent to the browser (applied by static/js/live.js):
    {"op": "row", "ticket": 12, "html": "<tr ...>"}     insert or replace the queue row, in sort order
    {"op": "remove", "ticket": 12}                      drop the queue row
    {"op": "badges", "html": "<p id=ticket-badges>"}    the agent ticket page's header badges
    {"op": "history", "id": "event-7", "html": "<li>"}  append to the agent ticket page's history
    {"op": "message", "id": "message-9", "html": ...}   append to the conversation
    {"op": "status", "html": "<span id=ticket-status>"} the portal ticket page's status badge
    {"op": "gone"}                                      the open ticket page is out of the user's reach
    {"op": "bell", "count": 3}                          the unread notification counter
"""

from __future__ import annotations

import asyncio
import functools
import time
import weakref
from dataclasses import dataclass, field

from channels.db import database_sync_to_async
from django.contrib.auth.models import AbstractBaseUser
from django.template.loader import get_template, render_to_string
from django.utils import timezone
from django.utils.text import Truncator

from helpdesk.events import PUBLIC_CODES
from helpdesk.live.pages import View
from helpdesk.models import Agent, Message, Ticket, TicketEvent
from helpdesk.permissions import agent_of, agent_team_ids, can_view_ticket
from helpdesk.selectors import (
    QUEUE_RELATIONS,
    ticket_conversation,
    ticket_events,
    ticket_in_queue,
    with_sla_due,
)

NOTIFICATION_KIND = "notification"
ROW = "agent/_queue_row.html"
BADGES = "agent/ticket.html#ticket-badges"
PORTAL_STATUS = "portal/ticket_detail.html#ticket-status"
HISTORY_ITEM = "agent/_history.html#event-item"
MESSAGE = "_message.html"


@functools.cache
def warm_templates() -> None:
    """Compile the partials once per process, so the first event after a start is not the slow one."""
    for name in (ROW, BADGES, PORTAL_STATUS, HISTORY_ITEM, MESSAGE):
        get_template(name)


@dataclass
class Snapshot:
    id: int
    kind: str
    ticket_id: int | None
    payload: dict
    ticket: Ticket | None = None
    event: TicketEvent | None = None
    label: str = ""
    actor_name: str = ""
    message: Message | None = None
    html: dict[str, str] = field(default_factory=dict)


def load_snapshot(message: dict) -> Snapshot:
    """Read and render everything any recipient of this event might be shown. Database thread only."""
    snapshot = Snapshot(
        id=message["id"],
        kind=message["kind"],
        ticket_id=message.get("ticket_id"),
        payload=message.get("payload") or {},
    )
    if snapshot.ticket_id is None or snapshot.kind == NOTIFICATION_KIND:
        return snapshot
    queryset = with_sla_due(Ticket.objects.select_related(*QUEUE_RELATIONS))
    ticket = snapshot.ticket = queryset.filter(pk=snapshot.ticket_id).first()
    if ticket is None:
        return snapshot
    html = snapshot.html
    html["row"] = render_to_string(ROW, {"ticket": ticket, "now": timezone.now()})
    html["badges"] = render_to_string(BADGES, {"ticket": ticket})
    html["status"] = render_to_string(PORTAL_STATUS, {"ticket": ticket})
    event_id = snapshot.payload.get("event_id")
    event = ticket_events(ticket).filter(pk=event_id).first() if event_id else None
    if event is None:
        return snapshot
    snapshot.event, snapshot.label = event, event.label
    if event.actor is not None:
        snapshot.actor_name = event.actor.get_full_name() or event.actor.get_username()
    html["history"] = render_to_string(HISTORY_ITEM, {"event": event})
    message_id = (event.details or {}).get("message_id")
    if message_id:
        snapshot.message = ticket_conversation(ticket, include_internal=True).filter(pk=message_id).first()
    if snapshot.message is not None:
        context = {"message": snapshot.message}
        html["message_agent"] = render_to_string(MESSAGE, {**context, "viewer": "agent"})
        if not snapshot.message.is_internal:
            html["message_customer"] = render_to_string(MESSAGE, {**context, "viewer": "customer"})
    return snapshot


class SnapshotCache:
    """One snapshot per event for all the sockets that receive it at about the same time.

    Entries live only briefly: a socket that replays an older event must see the ticket as it is now,
    and never a row it was allowed to see then but not any more.
    """

    TTL_SECONDS = 2.0
    MAX_ENTRIES = 512

    def __init__(self) -> None:
        self._entries: dict[int, tuple[float, asyncio.Future]] = {}

    async def get(self, message: dict) -> Snapshot:
        now = time.monotonic()
        entry = self._entries.get(message["id"])
        if entry is None or entry[0] < now:
            future = asyncio.ensure_future(database_sync_to_async(load_snapshot)(message))
            entry = self._entries[message["id"]] = (now + self.TTL_SECONDS, future)
            self._trim(now)
        try:
            return await asyncio.shield(entry[1])
        except Exception:
            self._entries.pop(message["id"], None)  # let the next socket try again
            raise

    def _trim(self, now: float) -> None:
        if len(self._entries) <= self.MAX_ENTRIES:
            return
        for event_id in [i for i, (expires, _) in self._entries.items() if expires < now]:
            del self._entries[event_id]
        while len(self._entries) > self.MAX_ENTRIES:
            del self._entries[next(iter(self._entries))]


_caches: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, SnapshotCache] = weakref.WeakKeyDictionary()


def snapshots() -> SnapshotCache:
    """The running event loop's cache (futures belong to one loop)."""
    loop = asyncio.get_running_loop()
    cache = _caches.get(loop)
    if cache is None:
        cache = _caches[loop] = SnapshotCache()
    return cache


def _about(ticket: Ticket) -> str:
    return f"#{ticket.pk} {Truncator(ticket.subject).chars(80)}"


def ops_for(snapshot: Snapshot, user: AbstractBaseUser, view: View) -> tuple[list[dict], str]:
    """The operations and the notice for this user's page. Runs in memory (see pages.load_user)."""
    if snapshot.kind == NOTIFICATION_KIND:
        return [], str(snapshot.payload.get("title", ""))
    if snapshot.ticket_id is None:
        return [], ""
    agent = agent_of(user)
    if agent is not None:
        return _agent_ops(snapshot, user, agent, view)
    return _customer_ops(snapshot, user, view)


def _agent_ops(snapshot: Snapshot, user, agent: Agent, view: View) -> tuple[list[dict], str]:
    ticket = snapshot.ticket
    visible = ticket is not None and can_view_ticket(user, ticket)
    on_this_ticket = view.name == "ticket" and view.ticket_id == snapshot.ticket_id
    if not visible:
        if view.name == "queue":
            return [{"op": "remove", "ticket": snapshot.ticket_id}], ""
        if on_this_ticket:
            return [{"op": "gone"}], f"Ticket #{snapshot.ticket_id} is no longer in your queues."
        return [], ""
    ops: list[dict] = []
    in_view = False
    # Tags and searches are matched in the database: such result lists keep their rows until reloaded.
    if view.name == "queue" and not (view.filters.tag or view.filters.search):
        in_view = ticket_in_queue(ticket, agent=agent, queue=view.queue, filters=view.filters)
        ops.append(
            {"op": "row", "ticket": ticket.pk, "html": snapshot.html["row"]}
            if in_view
            else {"op": "remove", "ticket": ticket.pk}
        )
    if on_this_ticket:
        ops.append({"op": "badges", "html": snapshot.html["badges"]})
        if "history" in snapshot.html:
            ops.append(
                {"op": "history", "id": f"event-{snapshot.event.pk}", "html": snapshot.html["history"]}
            )
        if "message_agent" in snapshot.html:
            message_id = f"message-{snapshot.message.pk}"
            ops.append({"op": "message", "id": message_id, "html": snapshot.html["message_agent"]})
    return ops, _agent_notice(snapshot, user, agent, in_view=in_view, on_this_ticket=on_this_ticket)


def _agent_notice(snapshot: Snapshot, user, agent: Agent, *, in_view: bool, on_this_ticket: bool) -> str:
    """What an agent hears about a visible ticket: what concerns them personally, then what is on screen."""
    event, ticket = snapshot.event, snapshot.ticket
    if event is not None and event.actor_id == user.pk:
        return ""  # their own action; the page they acted on already says so
    about = _about(ticket)
    if event is not None:
        code = event.code
        if code == "ticket.assigned" and event.to_agent_id == agent.pk:
            return f"Assigned to you: {about}"
        handed_on = code in ("ticket.assigned", "ticket.unassigned") or code.startswith("escalation.")
        if handed_on and event.from_agent_id == agent.pk and event.to_agent_id != agent.pk:
            return f"Taken from you ({snapshot.label}): {about}"
        if code.startswith("escalation."):
            if event.to_team_id != event.from_team_id and event.to_team_id in agent_team_ids(agent):
                return f"Escalated to your team: {about}"
            if event.to_tier_id != event.from_tier_id and event.to_tier_id == agent.tier_id:
                return f"Escalated to your tier: {about}"
        if code.startswith("sla."):
            return f"{snapshot.label}: {about}"
    if on_this_ticket:
        return f"{snapshot.actor_name}: {snapshot.label}" if snapshot.actor_name else snapshot.label
    if in_view:
        return f"New ticket {about}" if snapshot.kind == "ticket.created" else f"{about}: {snapshot.label}"
    return ""


def _customer_ops(snapshot: Snapshot, user, view: View) -> tuple[list[dict], str]:
    ticket = snapshot.ticket
    if ticket is None or ticket.customer_id != user.pk or snapshot.kind not in PUBLIC_CODES:
        return [], ""
    ops: list[dict] = []
    if view.name == "portal" and view.ticket_id == ticket.pk:
        ops.append({"op": "status", "html": snapshot.html["status"]})
        if "message_customer" in snapshot.html:
            message_id = f"message-{snapshot.message.pk}"
            ops.append({"op": "message", "id": message_id, "html": snapshot.html["message_customer"]})
    if snapshot.event is not None and snapshot.event.actor_id == user.pk:
        return ops, ""
    if snapshot.kind in ("message.agent", "message.system"):
        return ops, f"New reply on ticket #{ticket.pk}."
    if snapshot.kind == "ticket.created":
        return ops, ""
    return ops, f"Ticket #{ticket.pk} is now {ticket.get_status_display().lower()}."
