"""Rows read once for a whole routing batch (escalation.routing.batch), then handed out ticket by ticket.

Routing one ticket reads its customer's words and history, its SLA state and the live status and
load of its team: five small queries. A batch reads each of them once for all its tickets
(`read_batch(tickets, now)`) and passes the result down its routing runs as `run.reads`; the readers
below answer from those rows, or None for a ticket or team the batch did not read (a rule moved the
ticket to another team), and the caller then runs its usual query.

The batch also keeps, for the agents it locked, their open load counted under the row lock (`held`),
and how each agent's load changed in the batch (`load_changes`), because the batch's own assignments
are not in the database until it ends (helpdesk.unit_of_work); `held_load` adds the two.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from escalation.models.sla import TicketSla
from escalation.routing import snapshot
from escalation.routing.candidates import live_rows
from escalation.triage.sentiment import CUSTOMER_BODIES
from helpdesk.models import AuthorKind, Message, Ticket


@dataclass
class ReadAhead:
    ticket_ids: frozenset[int]
    history_since: dt.datetime  # the histories reach back to here
    histories: dict[int, list[snapshot.HistoryRow]]  # customer id -> recent tickets, newest first
    customer_bodies: dict[int, list[str]]  # ticket id -> customer message bodies, newest first
    sla_states: dict[int, TicketSla]
    team_live: dict[int, list[tuple[int, str, int]]] = field(default_factory=dict)  # (pk, status, load)
    held: dict[int, int] = field(default_factory=dict)  # agent pk -> written open load when locked
    busy_elsewhere: set[int] = field(default_factory=set)  # agents another worker holds
    load_changes: Counter = field(default_factory=Counter)  # agent pk -> tickets gained (or lost)
    agent_facts: dict = field(default_factory=dict)  # (pk, status, load) -> AgentFacts, at the batch's time

    def history(self, ticket: Ticket) -> list[snapshot.HistoryRow] | None:
        return self.histories.get(ticket.customer_id) if ticket.pk in self.ticket_ids else None

    def bodies(self, ticket: Ticket) -> list[str] | None:
        return self.customer_bodies.get(ticket.pk, []) if ticket.pk in self.ticket_ids else None

    def sla_state(self, ticket: Ticket) -> TicketSla | None:
        if ticket.pk not in self.ticket_ids:
            return None
        return self.sla_states.get(ticket.pk) or TicketSla()

    def repeat_contacts(self, ticket: Ticket, since: dt.datetime) -> int | None:
        """The customer's other tickets created since `since`, when the history read covers them."""
        rows = self.history(ticket)
        if rows is None:
            return None
        complete = len(rows) < snapshot.LOOKBACK_ROWS or rows[-1][1] < since
        if not complete or since < self.history_since:
            return None
        return sum(1 for pk, created, *_ in rows if pk != ticket.pk and created >= since)

    def team_members(self, team_id: int) -> list[tuple[int, str, int]] | None:
        rows = self.team_live.get(team_id)
        if rows is None:
            return None
        return [(pk, status, load + self.load_changes[pk]) for pk, status, load in rows]

    def assignment_changed(self, new_agent_id: int | None, old_agent_id: int | None) -> None:
        if new_agent_id:
            self.load_changes[new_agent_id] += 1
        if old_agent_id:
            self.load_changes[old_agent_id] -= 1

    def held_load(self, agent_id: int) -> int:
        """The open load of an agent this batch holds: counted under the lock, plus the batch's changes."""
        return self.held[agent_id] + self.load_changes[agent_id]


def _customer_bodies(ticket_ids: list[int]) -> dict[int, list[str]]:
    rows = (
        Message.objects.filter(ticket_id__in=ticket_ids, author_kind=AuthorKind.CUSTOMER, is_internal=False)
        .order_by("ticket_id", "-created_at", "-id")
        .values_list("ticket_id", "body")
    )
    bodies: dict[int, list[str]] = defaultdict(list)
    for ticket_id, body in rows:
        if len(bodies[ticket_id]) < CUSTOMER_BODIES:
            bodies[ticket_id].append(body)
    return bodies


def read_batch(tickets: list[Ticket], now: dt.datetime) -> ReadAhead:
    """Read the batch's rows now, for its routing runs to answer from."""
    ids = [t.pk for t in tickets]
    return ReadAhead(
        ticket_ids=frozenset(ids),
        history_since=now - dt.timedelta(days=snapshot.LOOKBACK_DAYS),
        histories=snapshot.customer_histories(tickets, now),
        customer_bodies=_customer_bodies(ids),
        sla_states=TicketSla.objects.in_bulk(ids),
        team_live=live_rows(sorted({t.team_id for t in tickets if t.team_id})),
    )
