"""The SLA clock of one ticket, as pure functions of the ticket, its SLA state and its policy.

Windows (each measured in the policy's business time, plus the business minutes the clock stood still):
1. First response: from creation until the first public agent reply.
2. Next reply: from the oldest unanswered customer message (once the first response is done) until an
   agent or automation answers.
3. Resolution: from creation until the ticket is resolved.

The clock runs only while the ticket is new or open: pending the customer, on hold, resolved or closed it
stands still, and no trigger fires.

Triggers, in the order a sweep fires them (`steps_due`):
- breach of a window whose due time has passed (once per window);
- warning once `warning_share` of a window has passed (once per window, never after its breach);
- open age: open longer than `open_age_hours` (once per ticket);
- abandoned: nobody touched it (or it sat unassigned) for `abandoned_hours` (again every
  `abandoned_hours` while nothing changes).
The score-refresh shares of each window add checkpoints at which only the priority score is recomputed.

A running window never gets a later due time than the one it was last given (`commit_due_times` keeps it
in the SLA state), except by exactly the business time the clock stood still: escalating to a team or
tier with longer targets, or a calendar that opens later, never extends what the customer was promised.
Only a person lowering the priority by hand lets the new policy's due times replace the committed ones.
`next_check_at` is the earliest moment the sweep has anything to do for the ticket.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from escalation.models.sla import SlaPolicy, Target, TicketSla
from escalation.sla.business_time import WorkingHours, add_business_minutes, business_deadlines
from helpdesk.models import Status, Ticket

RUNNING_STATUSES = (Status.NEW, Status.OPEN)
# Statuses in which the clock stands still; pending and on hold also show as "paused" to people.
STOPPED_STATUSES = (Status.PENDING, Status.ON_HOLD, Status.RESOLVED, Status.CLOSED)


class StepKind:
    WARNING = "warning"
    BREACH = "breach"
    OPEN_AGE = "open_age"
    ABANDONED = "abandoned"


@dataclass(frozen=True)
class Window:
    target: str
    start: dt.datetime
    due: dt.datetime
    warn_at: dt.datetime
    refresh_at: tuple[dt.datetime, ...]
    warned: bool
    breached: bool
    paused: float = 0.0  # business minutes the clock stood still in this window so far


@dataclass(frozen=True)
class Step:
    """One thing the sweep must do for a ticket now. `due` is the deadline it is about (for a warning:
    the window's due time, not the moment of warning)."""

    kind: str
    due: dt.datetime
    target: str = ""
    window_start: dt.datetime | None = None
    action: str = ""

    @property
    def target_label(self) -> str:
        return Target(self.target).label if self.target else ""


def clock_running(ticket: Ticket) -> bool:
    return ticket.status in RUNNING_STATUSES and ticket.sla_paused_at is None


def _window(
    target: str,
    start: dt.datetime,
    paused: float,
    policy: SlaPolicy,
    hours: WorkingHours | None,
    *,
    warned: bool,
    breached: bool,
    committed: list | None = None,
) -> Window:
    total = policy.target_minutes(target)
    refresh_shares = sorted({float(s) for s in policy.score_refresh_shares or []} - {policy.warning_share})
    marks = [total, policy.warning_share * total, *(share * total for share in refresh_shares)]
    due, warn_at, *refresh_at = business_deadlines(start, [m + paused for m in marks], hours)
    if committed is not None:
        ceiling = committed_ceiling(committed, paused, hours)
        if ceiling < due:  # a later policy never pushes a running deadline out
            share = (warn_at - start) / (due - start) if due > start else 1.0
            due = ceiling
            warn_at = start + (due - start) * share
            refresh_at = [moment for moment in refresh_at if moment < due]
    return Window(target, start, due, warn_at, tuple(refresh_at), warned, breached, paused)


def committed_ceiling(committed: list, paused: float, hours: WorkingHours | None) -> dt.datetime:
    """The due time the window was last given, moved out by the business minutes paused since."""
    due = dt.datetime.fromisoformat(committed[0])
    extra = paused - float(committed[1])
    return add_business_minutes(due, extra, hours) if extra > 0 else due


def _committed_for(state: TicketSla, target: str, start: dt.datetime) -> list | None:
    entry = (state.committed_due or {}).get(target)
    if not entry or len(entry) != 3 or entry[2] != start.isoformat():
        return None  # none yet, or it was for an earlier next-reply window
    return entry


def commit_due_times(state: TicketSla, running: list[Window]) -> None:
    """Remember each running window's due time (see the module docstring); call before saving the state."""
    state.committed_due = {w.target: [w.due.isoformat(), w.paused, w.start.isoformat()] for w in running}


def fired(state: TicketSla, target: str) -> tuple[bool, bool]:
    """(warned, breached) for the target's current window: next-reply markers count only for the window
    they fired for."""
    if target == Target.NEXT_REPLY:
        since = state.awaiting_reply_since
        return (
            since is not None and state.next_reply_warned_for == since,
            since is not None and state.next_reply_breached_for == since,
        )
    return getattr(state, f"{target}_warned_at") is not None, getattr(
        state, f"{target}_breached_at"
    ) is not None


def windows(ticket: Ticket, state: TicketSla, policy: SlaPolicy, hours: WorkingHours | None) -> list[Window]:
    """The ticket's SLA windows that are still running (met ones are left out)."""
    running = []  # (target, start, paused business minutes)
    if ticket.first_response_at is None:
        running.append((Target.FIRST_RESPONSE, ticket.created_at, state.paused_minutes))
    elif state.awaiting_reply_since is not None:
        running.append((Target.NEXT_REPLY, state.awaiting_reply_since, state.reply_paused_minutes))
    if ticket.resolved_at is None:
        running.append((Target.RESOLUTION, ticket.created_at, state.paused_minutes))
    result = []
    for target, start, paused in running:
        warned, breached = fired(state, target)
        committed = _committed_for(state, target, start)
        result.append(
            _window(
                target, start, paused, policy, hours, warned=warned, breached=breached, committed=committed
            )
        )
    return result


def open_age_due(ticket: Ticket, state: TicketSla, policy: SlaPolicy) -> dt.datetime | None:
    """When the ticket has been open too long (wall-clock), unless that already fired or is switched off."""
    if not policy.open_age_hours or state.open_age_at is not None:
        return None
    return ticket.created_at + dt.timedelta(hours=policy.open_age_hours)


def abandoned_due(ticket: Ticket, state: TicketSla, policy: SlaPolicy) -> dt.datetime | None:
    """N hours after the last touch (assignment, agent message, escalation) or the last abandonment alert."""
    if not policy.abandoned_hours:
        return None
    moments = [ticket.created_at, state.touched_at, ticket.last_agent_activity_at, state.abandoned_at]
    return max(m for m in moments if m is not None) + dt.timedelta(hours=policy.abandoned_hours)


def steps_due(
    ticket: Ticket, state: TicketSla, policy: SlaPolicy, hours: WorkingHours | None, *, now: dt.datetime
) -> list[Step]:
    """What the sweep must do for this ticket at `now`, in firing order (see the module docstring)."""
    if not clock_running(ticket):
        return []
    steps = []
    for window in windows(ticket, state, policy, hours):
        if window.breached:
            continue
        if now >= window.due:
            action = policy.breach_action(window.target)
            steps.append(Step(StepKind.BREACH, window.due, window.target, window.start, action))
        elif now >= window.warn_at and not window.warned:
            steps.append(Step(StepKind.WARNING, window.due, window.target, window.start))
    open_age = open_age_due(ticket, state, policy)
    if open_age is not None and now >= open_age:
        steps.append(Step(StepKind.OPEN_AGE, open_age, action=policy.open_age_action))
    abandoned = abandoned_due(ticket, state, policy)
    if abandoned is not None and now >= abandoned:
        steps.append(Step(StepKind.ABANDONED, abandoned))
    return steps


def next_check_at(
    ticket: Ticket,
    state: TicketSla,
    policy: SlaPolicy | None,
    hours: WorkingHours | None,
    *,
    now: dt.datetime,
) -> dt.datetime | None:
    """The earliest moment the sweep has work for this ticket: an unfired trigger (even one already in
    the past), or a score-refresh checkpoint still ahead. None while the clock stands still."""
    if policy is None or not clock_running(ticket):
        return None
    moments = []
    for window in windows(ticket, state, policy, hours):
        if window.breached:
            continue
        moments.append(window.due)
        if not window.warned:
            moments.append(window.warn_at)
        moments += [moment for moment in window.refresh_at if moment > now]
    moments += [open_age_due(ticket, state, policy), abandoned_due(ticket, state, policy)]
    return min((m for m in moments if m is not None), default=None)
