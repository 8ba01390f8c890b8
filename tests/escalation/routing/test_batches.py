"""Routing a backlog of new tickets in batches (escalation.routing.batch): every ticket routed once, as routing it
alone would, in a fraction of the queries, and never over an agent's capacity."""

from __future__ import annotations

import datetime as dt
import importlib

from django.apps import apps
from django.db import connection
from django.db.models import Count, Q
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from escalation import tasks
from escalation.models import RoutingDecision
from escalation.models.sla import TicketSla
from escalation.routing import batch, engine
from escalation.routing.candidates import team_agents
from escalation.routing.engine import locked_tickets
from escalation.routing.read_ahead import read_batch
from escalation.routing.snapshot import snapshot_for
from escalation.triage.sentiment import ticket_mood
from helpdesk.models import Csat, Status, Ticket, TicketEvent
from tests.factories import AgentFactory, CustomerFactory, MessageFactory, TicketFactory


def _backlog(n: int, team, tier, **fields) -> list[int]:
    return [TicketFactory(team=team, tier=tier, **fields).pk for _ in range(n)]


def _assignments(ticket_ids: list[int]) -> dict[int, int]:
    """Ticket -> how many assignment events it has."""
    rows = (
        TicketEvent.objects.filter(ticket_id__in=ticket_ids, code="ticket.assigned")
        .values("ticket_id")
        .annotate(n=Count("id"))
    )
    return {row["ticket_id"]: row["n"] for row in rows}


def test_one_task_routes_the_backlog_and_the_later_tasks_find_their_tickets_routed(db, billing, tier1):
    agents = [AgentFactory(tier=tier1, teams=[billing], capacity=5) for _ in range(3)]
    ids = _backlog(6, billing, tier1)

    assert tasks.route_ticket(ids[0]) is not None
    assert RoutingDecision.objects.filter(ticket_id__in=ids).count() == 6
    assert [tasks.route_ticket(pk) for pk in ids[1:]] == [None] * 5  # nothing left to do
    assert RoutingDecision.objects.filter(ticket_id__in=ids).count() == 6

    tickets = Ticket.objects.filter(pk__in=ids)
    assert {t.status for t in tickets} == {Status.OPEN}
    # Spare capacity counts in the score, and the batch counts its own assignments: the work is spread.
    assert sorted(tickets.values("assignee").annotate(n=Count("id")).values_list("n", flat=True)) == [2, 2, 2]
    assert {t.assignee_id for t in tickets} == {a.pk for a in agents}
    assert _assignments(ids) == {pk: 1 for pk in ids}
    for decision in RoutingDecision.objects.filter(ticket_id__in=ids):
        event = TicketEvent.objects.get(ticket_id=decision.ticket_id, code="ticket.assigned")
        assert event.details["routing_decision"] == decision.pk  # the event names its decision
        assert decision.agent_id == event.to_agent_id
        assert len(decision.candidates) == 3


def test_a_batch_never_fills_an_agent_beyond_capacity(db, billing, tier1):
    busy = AgentFactory(tier=tier1, teams=[billing], capacity=2)
    TicketFactory(team=billing, tier=tier1, assignee=busy, status=Status.OPEN)  # one slot left
    free = AgentFactory(tier=tier1, teams=[billing], capacity=1)
    ids = _backlog(4, billing, tier1)

    tasks.route_ticket(ids[0])

    assigned = Ticket.objects.filter(pk__in=ids, assignee__isnull=False)
    assert sorted(assigned.values_list("assignee_id", flat=True)) == sorted([busy.pk, free.pk])
    waiting = RoutingDecision.objects.filter(ticket_id__in=ids, agent__isnull=True)
    assert waiting.count() == 2
    assert all("at capacity" in str(d.candidates) for d in waiting)


def test_queries_per_batch_do_not_grow_with_its_size(db, billing, tier1, settings):
    settings.ESCALATION_POLICY_TTL = 60  # admin tables cached per process, as in production (tests: 0)
    for _ in range(4):
        AgentFactory(tier=tier1, teams=[billing], capacity=50)
    customer = CustomerFactory().user
    counts = []
    for size in (5, 25):
        ids = _backlog(size, billing, tier1, customer=customer)
        with CaptureQueriesContext(connection) as captured:
            tasks.route_ticket(ids[0])
        assert RoutingDecision.objects.filter(ticket_id__in=ids).count() == size
        counts.append(len(captured))
    assert counts[1] <= counts[0] + 2  # at most another round of agent locks


def test_a_ticket_that_fails_does_not_hold_back_the_others(db, billing, tier1, monkeypatch):
    AgentFactory(tier=tier1, teams=[billing], capacity=10)
    ids = _backlog(3, billing, tier1)
    broken = ids[1]
    route_locked = engine._route_locked

    def failing(ticket, **kwargs):
        if ticket.pk == broken:
            raise RuntimeError("a bug in a rule")
        return route_locked(ticket, **kwargs)

    monkeypatch.setattr(engine, "_route_locked", failing)

    assert tasks.route_ticket(ids[0]) is not None  # the batch failed: its own ticket alone
    assert tasks.route_ticket(ids[2]) is not None
    assert set(RoutingDecision.objects.values_list("ticket_id", flat=True)) == {ids[0], ids[2]}
    assert not RoutingDecision.objects.filter(ticket_id=broken).exists()  # rolled back with its batch


def test_read_ahead_answers_as_the_queries_would(db, billing, tier1, settings):
    settings.ESCALATION_POLICY_TTL = 60  # the roster cached per process, as in production (tests: 0)
    agent = AgentFactory(tier=tier1, teams=[billing], capacity=4)
    customer = CustomerFactory().user
    earlier = TicketFactory(
        team=billing, tier=tier1, customer=customer, assignee=agent, status=Status.RESOLVED
    )
    Csat.objects.create(ticket=earlier, score=5)
    TicketFactory(team=billing, tier=tier1, customer=customer, assignee=agent, status=Status.OPEN)
    ticket = TicketFactory(team=billing, tier=tier1, customer=customer)
    MessageFactory(ticket=ticket, body="I wrote this already!!! Nobody answers.")
    MessageFactory(ticket=ticket, body="Still waiting, this is unacceptable.")
    TicketSla.objects.create(ticket=ticket, paused_minutes=30)
    now = timezone.now() + dt.timedelta(minutes=1)

    def read(reads=None) -> tuple:
        locked = locked_tickets(Q(pk=ticket.pk))[0]
        return (
            snapshot_for(
                locked,
                now=now,
                with_messages=True,
                history=reads.history(locked) if reads else None,
                bodies=reads.bodies(locked) if reads else None,
            ),
            ticket_mood(locked, reads=reads),
            [(f.pk, f.status, f.load) for f in team_agents(billing.pk, now, reads=reads)],
        )

    alone = read()
    reads = read_batch(locked_tickets(Q(pk=ticket.pk)), now)
    with CaptureQueriesContext(connection) as captured:
        ahead = read(reads)
    assert ahead == alone
    assert ahead[0].last_good_agent_id == agent.pk and ahead[1].frustration > 0
    assert ahead[2] == [(agent.pk, "available", 1)]
    assert len(captured) == 1  # only the lock: the rest came from the batch's read


def test_first_routing_records_each_arrival_once_dated_at_creation_and_before_its_routing(db, billing, tier1):
    AgentFactory(tier=tier1, teams=[billing], capacity=5)
    ids = _backlog(3, billing, tier1)

    for pk in ids:
        tasks.route_ticket(pk)
    tasks.route_ticket(ids[0], "recheck")

    for ticket in Ticket.objects.filter(pk__in=ids):
        codes = list(ticket.events.values_list("code", flat=True))  # in time order
        assert codes[0] == "ticket.created" and codes.count("ticket.created") == 1
        assert ticket.events.get(code="ticket.created").created_at == ticket.created_at
        assert "ticket.assigned" in codes


def test_a_ticket_held_elsewhere_gets_its_arrival_recorded_though_its_routing_waits(
    db, billing, tier1, monkeypatch
):
    ticket = TicketFactory(team=billing, tier=tier1)
    monkeypatch.setattr(batch, "_lock_unrouted", lambda ticket_id: ([], True))  # another transaction holds it

    assert tasks.route_ticket(ticket.pk) is None

    assert list(ticket.events.values_list("code", flat=True)) == ["ticket.created"]
    assert not RoutingDecision.objects.filter(ticket=ticket).exists()


def test_a_tickets_first_routing_is_a_column_set_once(db, billing, tier1):
    AgentFactory(tier=tier1, teams=[billing], capacity=5)
    [pk] = _backlog(1, billing, tier1)
    assert Ticket.objects.get(pk=pk).first_routed_at is None  # waiting for its first routing

    tasks.route_ticket(pk)
    first = Ticket.objects.get(pk=pk).first_routed_at
    tasks.route_ticket(pk, "recheck")

    assert first is not None
    assert Ticket.objects.get(pk=pk).first_routed_at == first
    assert not Ticket.objects.filter(batch.NOT_ROUTED, pk=pk).exists()


def test_tickets_routed_before_the_column_existed_count_as_routed(db, billing, tier1):
    notes = importlib.import_module("helpdesk.migrations.0008_ticket_first_routed_at_from_notes")
    routed = TicketFactory(team=billing, tier=tier1, metadata={"routing": {"priority_floor": None}})
    waiting = TicketFactory(team=billing, tier=tier1)

    notes.from_routing_notes(apps, None)

    routed.refresh_from_db()
    waiting.refresh_from_db()
    assert routed.first_routed_at == routed.created_at and waiting.first_routed_at is None
