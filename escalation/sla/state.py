"""Keeping a ticket's SLA state in step with what happens to it.

After every change that matters (escalation.receivers enqueues `sla_sync` on commit), the state is
reconciled with the ticket as it is now, so tasks that run late or out of order still end up right:
- pending, on hold, resolved or closed: the clock stands still from the change on (`sla_paused_at`);
  back to new/open (an agent, or a customer reply): the business minutes it stood still are added to the
  windows, which pushes their due times out by exactly the paused business time;
- the oldest customer message after the last public answer opens a next-reply window;
- assignments, agent messages and escalations count as touching the ticket (the abandoned clock);
- due times and the next moment the sweep must look (`next_check_at`) are recomputed.

Lock order everywhere: the TicketSla row first, then the ticket (the sweep does the same).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import DateTimeField, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from escalation.models.sla import Target, TicketSla
from escalation.sla.business_time import WorkingHours, business_minutes_between
from escalation.sla.clock import (
    STOPPED_STATUSES,
    Step,
    StepKind,
    commit_due_times,
    next_check_at,
    steps_due,
    windows,
)
from escalation.sla.due import SLA_FIELDS, set_due_times
from escalation.sla.policies import PolicyBook, current_book
from helpdesk.models import OPEN_STATUSES, AuthorKind, Message, Ticket, TicketEvent, Trigger
from helpdesk.unit_of_work import sla_kept_by_unit

_LONG_AGO = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)

# Events after which a ticket's SLA state is brought up to date.
SYNC_CODES = frozenset(
    {
        "ticket.created",
        "ticket.status_changed",
        "ticket.priority_changed",
        "ticket.category_changed",
        "ticket.team_changed",
        "ticket.tier_changed",
        "ticket.assigned",
        "ticket.unassigned",
        "ticket.resolved",
        "ticket.reopened",
        "message.customer",
        "message.agent",
        "message.note",
        "message.system",
        "escalation.functional",
        "escalation.hierarchical",
        "routing.decided",
    }
)
# Events that count as somebody working the ticket: they restart the abandoned clock.
TOUCH_CODES = frozenset(
    {
        "ticket.created",
        "ticket.assigned",
        "ticket.unassigned",
        "ticket.reopened",
        "message.agent",
        "message.note",
        "message.system",
        "escalation.functional",
        "escalation.hierarchical",
    }
)


def needs_sync(code: str, ticket_id: int) -> bool:
    """Whether an event with this code calls for an SLA sync task: not when the unit of work recording
    it keeps the ticket's SLA state itself (the sweep, firing the ticket's triggers)."""
    return code in SYNC_CODES and not sla_kept_by_unit(ticket_id)


def is_touch(event: TicketEvent) -> bool:
    manual_status_change = event.code == "ticket.status_changed" and event.trigger == Trigger.MANUAL
    return event.code in TOUCH_CODES or (manual_status_change and event.actor_id is not None)


def awaiting_reply_since(ticket: Ticket) -> dt.datetime | None:
    """The oldest customer message after the last public answer (agent or automation); None if answered."""
    messages = Message.objects.filter(ticket_id=ticket.pk)
    last_answer = (
        messages.filter(is_internal=False, author_kind__in=[AuthorKind.AGENT, AuthorKind.SYSTEM])
        .order_by("-created_at")
        .values("created_at")[:1]
    )
    unanswered = messages.filter(  # one query: customer messages after the last answer, if any
        author_kind=AuthorKind.CUSTOMER,
        created_at__gt=Coalesce(Subquery(last_answer), Value(_LONG_AGO, output_field=DateTimeField())),
    )
    return unanswered.order_by("created_at").values_list("created_at", flat=True).first()


def note_awaiting_reply(state: TicketSla, since: dt.datetime | None) -> None:
    """A new unanswered message (or an answer) starts a fresh next-reply window with no paused time."""
    if since != state.awaiting_reply_since:
        state.awaiting_reply_since = since
        state.reply_paused_minutes = 0.0


def reconcile_clock(ticket: Ticket, state: TicketSla, hours: WorkingHours | None, *, at: dt.datetime) -> None:
    """Stop the clock when the ticket waits on the customer (or is done); restart it when it is back."""
    stopped = ticket.status in STOPPED_STATUSES
    if stopped and ticket.sla_paused_at is None:
        ticket.sla_paused_at = at
    elif not stopped and ticket.sla_paused_at is not None:
        paused_at, resumed_at = ticket.sla_paused_at, max(at, ticket.sla_paused_at)
        state.paused_minutes += business_minutes_between(paused_at, resumed_at, hours)
        if state.awaiting_reply_since is not None:
            reply_paused_from = max(paused_at, state.awaiting_reply_since)
            state.reply_paused_minutes += business_minutes_between(reply_paused_from, resumed_at, hours)
        ticket.sla_paused_at = None


def sla_sync(
    ticket_id: int, *, event: TicketEvent | None = None, events: list[TicketEvent] = ()
) -> TicketSla | None:
    """Bring one ticket's SLA state, due times and next check up to date (see the module docstring).
    `events`: what happened to it since its last sync (one commit's events); the clock stops or restarts
    as of the latest of them, and the touching ones restart the abandoned clock."""
    now = timezone.now()
    events = [*events, event] if event is not None else list(events)
    at = max((e.created_at for e in events), default=now)
    touches = [e.created_at for e in events if is_touch(e)]
    with transaction.atomic():
        state = TicketSla.objects.select_for_update().filter(pk=ticket_id).first()
        ticket = Ticket.objects.select_related("organization").filter(pk=ticket_id).first()  # after the lock
        if ticket is None:
            return None
        if state is None:  # its first sync: the new row is locked by inserting it
            state, created = TicketSla.objects.get_or_create(
                ticket_id=ticket_id, defaults={"touched_at": ticket.created_at}
            )
            if not created:  # another sync created it meanwhile: lock it and read the ticket again
                state = TicketSla.objects.select_for_update().get(pk=ticket_id)
                ticket = Ticket.objects.select_related("organization").get(pk=ticket_id)
        book = current_book()
        policy = book.policy_for(ticket)
        hours = book.hours_for(policy)
        note_awaiting_reply(state, awaiting_reply_since(ticket))
        reconcile_clock(ticket, state, hours, at=at)
        if touches:
            state.touched_at = max(state.touched_at or max(touches), max(touches))
        if any(e.code == "ticket.priority_changed" and e.trigger == Trigger.MANUAL for e in events):
            state.committed_due = {}  # a person changed the priority: the new targets stand as they are
        set_due_times(ticket, state, policy, hours)
        if policy is not None:
            commit_due_times(state, windows(ticket, state, policy, hours))
        state.policy = policy if policy is not None and policy.pk else None
        state.next_check_at = next_check_at(ticket, state, policy, hours, now=now)
        state.updated_at = now
        state.save()
        Ticket.objects.filter(pk=ticket_id).update(
            sla_paused_at=ticket.sla_paused_at, **{name: getattr(ticket, name) for name in SLA_FIELDS}
        )
    return state


def sla_sync_events(event_ids: list[int]) -> int:
    """The task body behind the receiver: sync each ticket of these events once, with all its events.
    Returns how many tickets were synced."""
    per_ticket: dict[int, list[TicketEvent]] = {}
    for event in TicketEvent.objects.filter(pk__in=event_ids).order_by("created_at", "pk"):
        per_ticket.setdefault(event.ticket_id, []).append(event)
    return sum(sla_sync(ticket_id, events=events) is not None for ticket_id, events in per_ticket.items())


# --- markers: what already fired -------------------------------------------------------------

_MARKERS = {
    (StepKind.WARNING, Target.FIRST_RESPONSE): "first_response_warned_at",
    (StepKind.BREACH, Target.FIRST_RESPONSE): "first_response_breached_at",
    (StepKind.WARNING, Target.NEXT_REPLY): "next_reply_warned_for",
    (StepKind.BREACH, Target.NEXT_REPLY): "next_reply_breached_for",
    (StepKind.WARNING, Target.RESOLUTION): "resolution_warned_at",
    (StepKind.BREACH, Target.RESOLUTION): "resolution_breached_at",
    (StepKind.OPEN_AGE, ""): "open_age_at",
    (StepKind.ABANDONED, ""): "abandoned_at",
}


def marker(step: Step, now: dt.datetime) -> tuple[str, dt.datetime]:
    """The state field that records `step` as fired, and the value it gets (next-reply markers hold the
    window they fired for)."""
    name = _MARKERS[(step.kind, step.target)]
    return name, (step.window_start if name.endswith("_for") else now)


MARKER_FIELDS = [*dict.fromkeys(_MARKERS.values()), "abandoned_count"]


def record_fired(state: TicketSla, step: Step, now: dt.datetime) -> None:
    """Record `step` as fired on the state; the sweep writes MARKER_FIELDS with its batch.

    No other worker can fire it meanwhile: the sweep holds the state's row lock (FOR UPDATE on
    PostgreSQL; on SQLite each transaction holds the database's write lock from its start), and
    everything else that changes these fields takes that lock first."""
    name, value = marker(step, now)
    setattr(state, name, value)
    if step.kind == StepKind.ABANDONED:
        state.abandoned_count += 1


# --- adopting tickets that were loaded in bulk -------------------------------------------------


def sla_backfill(*, now: dt.datetime | None = None) -> int:
    """Create SLA state for open tickets that have none (demo history, imports: no events were sent).

    Triggers whose time has already passed count as fired, so adopting old tickets does not replay
    their past as a storm of escalations; from now on they are watched like any other ticket.
    """
    now = now or timezone.now()
    book = PolicyBook.load()
    tickets = Ticket.objects.filter(status__in=OPEN_STATUSES, sla_state__isnull=True).select_related(
        "organization"
    )
    adopted = 0
    for ticket in tickets.iterator(chunk_size=500):
        with transaction.atomic():
            policy = book.policy_for(ticket)
            hours = book.hours_for(policy)
            state = TicketSla(ticket=ticket, touched_at=ticket.last_agent_activity_at or ticket.created_at)
            note_awaiting_reply(state, awaiting_reply_since(ticket))
            reconcile_clock(ticket, state, hours, at=now)
            if policy is not None:
                for step in steps_due(ticket, state, policy, hours, now=now):
                    name, value = marker(step, now)
                    setattr(state, name, value)
                    # Past its due time is breached, even though nothing is replayed.
                    ticket.sla_breached = ticket.sla_breached or step.kind == StepKind.BREACH
            set_due_times(ticket, state, policy, hours)
            if policy is not None:
                commit_due_times(state, windows(ticket, state, policy, hours))
            state.policy = policy if policy is not None and policy.pk else None
            state.next_check_at = next_check_at(ticket, state, policy, hours, now=now)
            state.save(force_insert=True)
            Ticket.objects.filter(pk=ticket.pk).update(
                sla_paused_at=ticket.sla_paused_at,
                sla_breached=ticket.sla_breached,
                **{name: getattr(ticket, name) for name in SLA_FIELDS},
            )
        adopted += 1
    return adopted
