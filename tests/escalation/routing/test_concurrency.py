"""Correctness under concurrency: parallel workers never overfill an agent or assign a ticket twice."""

from __future__ import annotations

import random
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.db.models import Count, Q

from escalation import tasks
from escalation.models import RoutingDecision
from escalation.routing import engine as routing
from helpdesk.models import OPEN_STATUSES, Agent, Ticket, TicketEvent
from tests.factories import AgentFactory, CustomerFactory, TeamFactory, TicketFactory, TierFactory

THREADS = 6
TICKETS = 300
AGENTS, CAPACITY = 12, 3


def _work(ticket_ids: list[int]) -> None:
    try:
        for pk in ticket_ids:
            routing.route([pk], "created").get(pk)
    finally:
        connection.close()  # each thread has its own connection


def _run_tasks(ticket_ids: list[int]) -> None:
    """Each ticket's routing task, which routes the backlog of new tickets in batches."""
    try:
        for pk in ticket_ids:
            tasks.route_ticket(pk)
    finally:
        connection.close()


def _world() -> tuple[list[Agent], list[int]]:
    """AGENTS agents of capacity CAPACITY in one team, and TICKETS new tickets for it."""
    tier, team = TierFactory(level=1), TeamFactory(name="Billing")
    agents = [AgentFactory(tier=tier, teams=[team], capacity=CAPACITY) for _ in range(AGENTS)]
    customer = CustomerFactory().user
    return agents, [TicketFactory(team=team, tier=tier, customer=customer).pk for _ in range(TICKETS)]


def _open_loads() -> dict[int, int]:
    return dict(
        Agent.objects.annotate(
            n=Count("assigned_tickets", filter=Q(assigned_tickets__status__in=OPEN_STATUSES))
        ).values_list("pk", "n")
    )


def _assignment_counts() -> list[int]:
    per_ticket = TicketEvent.objects.filter(code="ticket.assigned").values("ticket").annotate(n=Count("id"))
    return [row["n"] for row in per_ticket]


@pytest.mark.postgres
def test_parallel_routing_respects_capacity_and_assigns_each_ticket_once(transactional_db):
    agents, ids = _world()
    work = ids * 2  # every ticket is routed twice, as when django-q2 retries a task
    random.Random(7).shuffle(work)

    with ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(_work, [work[i::THREADS] for i in range(THREADS)]))

    loads = _open_loads()
    assert all(loads[a.pk] <= CAPACITY for a in agents)
    per_ticket = _assignment_counts()
    assert set(per_ticket) == {1}
    assert len(per_ticket) == Ticket.objects.filter(assignee__isnull=False).count() <= AGENTS * CAPACITY

    routing.recheck_waiting_tickets()  # anything a busy moment left waiting while a slot was free

    assert Ticket.objects.filter(assignee__isnull=False).count() == AGENTS * CAPACITY
    assert all(
        n == CAPACITY
        for n in Ticket.objects.filter(assignee__isnull=False)
        .values("assignee")
        .annotate(n=Count("id"))
        .values_list("n", flat=True)
    )


@pytest.mark.postgres
def test_parallel_batches_respect_capacity_and_route_each_ticket_once(transactional_db):
    agents, ids = _world()

    with ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(_run_tasks, [ids[i::THREADS] for i in range(THREADS)]))

    loads = _open_loads()
    assert all(loads[a.pk] <= CAPACITY for a in agents)
    assert set(_assignment_counts()) == {1}
    assert RoutingDecision.objects.filter(trigger="created").count() == TICKETS  # each first routing ran once
    assert RoutingDecision.objects.values("ticket").distinct().count() == TICKETS
