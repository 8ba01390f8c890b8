"""One pass of the time-based SLA triggers (`manage.py sweep_sla`, scheduled every minute).

1. Claim a batch of due SLA states: `next_check_at <= now` through its partial index (cost grows with the
   tickets that are due, not with all open tickets), locked FOR UPDATE SKIP LOCKED so a second sweep
   running at the same time takes other rows instead of waiting or repeating work.
   The tickets are locked with them, so the triggers act on what is true now.
2. For each: record each due trigger as fired (the rows are locked) and fire it (escalation.sla.actions);
   refresh the priority score; set the next check. Events, notifications and ticket changes are written
   in bulk when the batch ends (one unit of work per batch, helpdesk.unit_of_work). A batch that fails runs again with one savepoint per
   ticket, so one broken ticket leaves the rest of the batch alone.
3. Hand on open tickets of assignees who are away, offline or on leave past the grace period
   (escalation.sla.absence).

Running it twice in a row changes nothing the second time: every fired trigger is recorded, and
`next_check_at` moves past `now`. `dry_run` reports what would happen and writes nothing.
"""

from __future__ import annotations

import copy
import datetime as dt
import logging
import time
from dataclasses import dataclass, field

from django.utils import timezone

from escalation.models.sla import BreachAction, SlaPolicy, TicketSla
from escalation.routing import scoring
from escalation.routing.snapshot import customer_histories
from escalation.sla.absence import hand_off_unavailable
from escalation.sla.actions import fire
from escalation.sla.clock import Step, StepKind, commit_due_times, next_check_at, steps_due, windows
from escalation.sla.due import SLA_FIELDS, set_due_times
from escalation.sla.policies import PolicyBook
from escalation.sla.state import MARKER_FIELDS, record_fired
from helpdesk.bulk import bulk_set
from helpdesk.events import event_record
from helpdesk.models import Ticket, Trigger
from helpdesk.models.tickets import PRIORITY_RANK
from helpdesk.unit_of_work import UnitOfWork, unit_of_work

logger = logging.getLogger(__name__)

BATCH_SIZE = 200
# Stop claiming new batches after this long, well inside the worker's task timeout; the next pass
# (a minute later) carries on where this one stopped.
TIME_BUDGET_SECONDS = 45.0
RETRY_AFTER = dt.timedelta(minutes=5)
TICKET_RELATIONS = ("organization", "team__lead__user", "tier", "assignee__user")
# Ticket columns the sweep writes at the end of a batch, in one statement for all its tickets.
TICKET_WRITES = ["priority_score", "priority", "sla_breached", *SLA_FIELDS]


@dataclass
class SweepReport:
    now: dt.datetime
    dry_run: bool = False
    checked: int = 0
    scores_refreshed: int = 0
    failed: int = 0
    unfinished: bool = False
    lines: list[str] = field(default_factory=list)

    def merge(self, other: SweepReport) -> None:
        self.checked += other.checked
        self.scores_refreshed += other.scores_refreshed
        self.failed += other.failed
        self.lines += other.lines

    def summary(self) -> str:
        verb = "would fire" if self.dry_run else "fired"
        text = (
            f"SLA sweep at {self.now:%Y-%m-%d %H:%M:%S} UTC: {self.checked} due ticket(s) checked, "
            f"{verb} {len(self.lines)} trigger(s)/hand-off(s)"
        )
        if not self.dry_run:
            text += f", {self.scores_refreshed} priority score(s) refreshed"
        if self.failed:
            text += f", {self.failed} failed (retried in {RETRY_AFTER.seconds // 60} min)"
        if self.unfinished:
            text += "; time budget used up, the next pass continues"
        return text + "."


def describe(ticket: Ticket, step: Step, outcome: str) -> str:
    what = f"{step.target_label} {step.kind}" if step.target else step.kind.replace("_", " ")
    return f"#{ticket.pk} {what} (due {step.due:%b %d %H:%M} UTC): {outcome}"


def sweep_sla(
    *, now: dt.datetime | None = None, dry_run: bool = False, batch_size: int = BATCH_SIZE
) -> SweepReport:
    """One pass over every due ticket, then the hand-offs. See the module docstring."""
    now = now or timezone.now()
    report = SweepReport(now=now, dry_run=dry_run)
    book = PolicyBook.load()
    if dry_run:
        _preview(now, book, report)
    else:
        started = time.monotonic()
        after = None
        while after := _sweep_batch(now, book, report, batch_size, after):
            if time.monotonic() - started > TIME_BUDGET_SECONDS:
                report.unfinished = True
                break
    report.lines += hand_off_unavailable(now=now, book=book, dry_run=dry_run)
    return report


Position = tuple[dt.datetime, int]  # (next_check_at, pk) of the last state a batch took


def _claimable(now: dt.datetime, after: Position | None = None):
    """Due SLA states in (next_check_at, pk) order, with what policy matching needs (the rest is loaded
    for triggered tickets only), from after the last one an earlier batch of this pass took.

    Starting after it spares each batch the index entries the earlier ones left behind (their states
    moved on, but the old entries stay until vacuum).
    """
    states = TicketSla.objects.filter(next_check_at__lte=now)
    if after is not None:
        at, pk = after
        states = states.filter(next_check_at__gte=at).exclude(next_check_at=at, pk__lte=pk)
    return states.order_by("next_check_at", "pk").select_related(
        "ticket__organization", "ticket__team", "ticket__tier", "ticket__category"
    )


def _due_steps(states: list[TicketSla], book: PolicyBook, now: dt.datetime) -> dict[int, list[Step]]:
    """The triggers due per ticket. Their tickets are loaded again with team lead and assignee joined
    (one query per batch: most due tickets only get their score refreshed and need none of that)."""
    due = {}
    for state in states:
        policy = book.policy_for(state.ticket)
        if policy is not None and (
            steps := steps_due(state.ticket, state, policy, book.hours_for(policy), now=now)
        ):
            due[state.pk] = steps
    if due:
        tickets = Ticket.objects.select_related(*TICKET_RELATIONS).in_bulk(list(due))
        for state in states:
            state.ticket = tickets.get(state.pk, state.ticket)
    return due


def _sweep_batch(
    now: dt.datetime, book: PolicyBook, report: SweepReport, batch_size: int, after: Position | None
) -> Position | None:
    """Claim and process one batch in one transaction, after `after`. Returns where the next batch
    starts, or None when nothing was left to claim.

    The SLA states and their tickets are locked together (SKIP LOCKED): what the triggers see is
    current, no other sweep can take the same tickets, and a ticket someone is changing right now is
    simply left for the next pass. E-mails of the whole batch go out in one background task.

    The batch first runs without a savepoint per ticket (two round trips less per triggered ticket).
    If anything fails, the whole batch rolls back and runs again with one savepoint per ticket, so
    only the broken ticket is set aside (retried after RETRY_AFTER) and the others go through.
    """
    try:
        batch, last = _process_batch(now, book, batch_size, after, isolate=False)
    except Exception:
        logger.warning("SLA sweep batch failed; running it again ticket by ticket", exc_info=True)
        batch, last = _process_batch(now, book, batch_size, after, isolate=True)
    report.merge(batch)
    return last


def _process_batch(
    now: dt.datetime, book: PolicyBook, batch_size: int, after: Position | None, *, isolate: bool
) -> tuple[SweepReport, Position | None]:
    batch = SweepReport(now=now)
    # Events, notifications and live events go in as one bulk insert per table, unless tickets are
    # isolated: a ticket rolled back to its savepoint must take its queued rows with it.
    with unit_of_work(gather_writes=not isolate) as unit:
        claim = _claimable(now, after).select_for_update(skip_locked=True, of=("self", "ticket"))
        states = list(claim[:batch_size])
        last = (states[-1].next_check_at, states[-1].pk) if states else None
        due = _due_steps(states, book, now)
        histories = customer_histories([state.ticket for state in states if state.ticket.is_open], now)
        changed: list[Ticket] = []
        for state in states:
            if not isolate:
                _visit(unit, state, due.get(state.pk, []), book, now, batch, changed, histories)
                continue
            fired = {name: getattr(state, name) for name in MARKER_FIELDS}
            try:
                with unit_of_work():  # a savepoint of the batch's unit
                    _visit(unit, state, due.get(state.pk, []), book, now, batch, changed, histories)
            except Exception:  # this ticket is broken: leave it for later, keep the rest of the batch
                logger.exception("SLA sweep failed for ticket %s", state.pk)
                batch.failed += 1
                for name, value in fired.items():  # its triggers were rolled back: not fired after all
                    setattr(state, name, value)
                state.next_check_at = now + RETRY_AFTER
        bulk_set(states, ["next_check_at", "policy", "touched_at", "committed_due", "updated_at"])
        bulk_set([state for state in states if state.pk in due], MARKER_FIELDS)  # what fired
        bulk_set(changed, TICKET_WRITES)
        batch.checked = len(states)
    return batch, last


def _visit(
    unit: UnitOfWork,
    state: TicketSla,
    steps: list[Step],
    book: PolicyBook,
    now: dt.datetime,
    batch: SweepReport,
    changed: list[Ticket],
    histories: dict[int, list],
) -> None:
    """Fire the due `steps` of one (locked) ticket, set its next check, and collect the ticket in
    `changed` when its score, due times or breach flag must be written (one UPDATE per batch).
    `histories`: the batch's customers' recent tickets, read once for all their scores."""
    ticket = state.ticket
    policy = book.policy_for(ticket)
    hours = book.hours_for(policy)
    breached = False
    if steps:
        # The sweep keeps this ticket's SLA state itself: the events it records enqueue no SLA sync.
        unit.keep_sla_state(ticket.pk)
        lines, handed_on, breached = _fire(steps, ticket, state, policy, now)
        batch.lines += lines
        if handed_on is not None:  # escalated or taken from its agent: it may run on another policy now
            ticket = state.ticket = handed_on
            state.touched_at = now
            policy = book.policy_for(ticket)
            hours = book.hours_for(policy)
        ticket.sla_breached = ticket.sla_breached or breached
    must_write = breached
    if ticket.is_open:
        score = scoring.score_ticket(ticket, now=now, history=histories.get(ticket.customer_id))
        if score.value != ticket.priority_score:
            ticket.priority_score = score.value
            batch.scores_refreshed += 1
            must_write = True
        if PRIORITY_RANK.get(score.priority, 0) > PRIORITY_RANK.get(ticket.priority, 0):
            unit.keep_sla_state(ticket.pk)
            raise_priority(ticket, score)  # its policy (and so its due times) may change with it
            policy = book.policy_for(ticket)
            hours = book.hours_for(policy)
            must_write = True
    must_write = bool(set_due_times(ticket, state, policy, hours)) or must_write
    if policy is not None:
        commit_due_times(state, windows(ticket, state, policy, hours))
    state.policy = policy if policy is not None and policy.pk else None
    state.next_check_at = next_check_at(ticket, state, policy, hours, now=now)
    state.updated_at = now
    if must_write:
        changed.append(ticket)


def raise_priority(ticket: Ticket, score: scoring.Score) -> None:
    """The score crossed a higher level's threshold as the SLA window narrowed: the level follows, with
    an event (the sweep's unit of work keeps this ticket's SLA state, so no SLA sync is queued)."""
    old = ticket.priority
    ticket.priority = score.priority
    pressure = next((f for f in score.factors if f.name == "sla_pressure"), None)
    event_record(
        ticket=ticket,
        code="ticket.priority_changed",
        trigger=Trigger.SLA,
        reason=f"Priority score {score.value:g} reached the {score.priority} threshold"
        + (f" ({pressure.detail})." if pressure else "."),
        from_value=old,
        to_value=score.priority,
        details={"score": score.value},
    )


def _fire(
    steps: list[Step], ticket: Ticket, state: TicketSla, policy: SlaPolicy, now: dt.datetime
) -> tuple[list[str], Ticket | None, bool]:
    """Record and fire each step. Each fires on a copy of the ticket as claimed (an action changes its
    ticket in place, and a later trigger must still describe what it found: who left it untouched);
    at most one of them hands the ticket on. Returns (report lines, the ticket as handed on or None,
    breached?)."""
    lines = []
    handed_on: Ticket | None = None
    breached = False
    for step in steps:
        record_fired(state, step, now)
        subject = copy.copy(ticket)
        outcome, handed = fire(step, subject, policy, may_hand_on=handed_on is None)
        if handed:
            handed_on = subject
        breached = breached or step.kind == StepKind.BREACH
        lines.append(describe(ticket, step, outcome))
    return lines, handed_on, breached


def preview(step: Step) -> str:
    if step.kind == StepKind.WARNING:
        return "would warn the assignee"
    if step.kind == StepKind.ABANDONED:
        return "would flag it, alert the team lead and route it again"
    return f"would notify the team lead and {BreachAction(step.action).label.lower()}"


def _preview(now: dt.datetime, book: PolicyBook, report: SweepReport) -> None:
    """Dry run: what each due ticket would get, in pages, without locks or writes."""
    after: Position | None = None
    while True:
        states = list(_claimable(now, after)[:BATCH_SIZE])
        if not states:
            return
        for state in states:
            policy = book.policy_for(state.ticket)
            if policy is None:
                continue
            for step in steps_due(state.ticket, state, policy, book.hours_for(policy), now=now):
                report.lines.append(describe(state.ticket, step, preview(step)))
        report.checked += len(states)
        after = (states[-1].next_check_at, states[-1].pk)
