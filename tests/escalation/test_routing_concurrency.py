"""Correctness under concurrency: parallel workers never overfill an agent or assign a ticket twice."""

from __future__ import annotations

import random
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.db.models import Count, Q

from escalation import routing
from helpdesk.models import OPEN_STATUSES, Agent, Ticket, TicketEvent
from tests.factories import AgentFactory, CustomerFactory, TeamFactory, TicketFactory, TierFactory

THREADS = 6
TICKETS = 300
AGENTS, CAPACITY = 12, 3


def _work(ticket_ids: list[int]) -> None:
    try:
        for pk in ticket_ids:
            routing.route(pk, trigger="created")
    finally:
        connection.close()  # each thread has its own connection


@pytest.mark.postgres
def test_parallel_routing_respects_capacity_and_assigns_each_ticket_once(transactional_db):
    tier, team = TierFactory(level=1), TeamFactory(name="Billing")
    agents = [AgentFactory(tier=tier, teams=[team], capacity=CAPACITY) for _ in range(AGENTS)]
    customer = CustomerFactory().user
    ids = [TicketFactory(team=team, tier=tier, customer=customer).pk for _ in range(TICKETS)]
    work = ids * 2  # every ticket is routed twice, as when django-q2 retries a task
    random.Random(7).shuffle(work)

    with ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(_work, [work[i::THREADS] for i in range(THREADS)]))

    loads = dict(
        Agent.objects.annotate(
            n=Count("assigned_tickets", filter=Q(assigned_tickets__status__in=OPEN_STATUSES))
        ).values_list("pk", "n")
    )
    assert all(loads[a.pk] <= CAPACITY for a in agents)
    per_ticket = TicketEvent.objects.filter(code="ticket.assigned").values("ticket").annotate(n=Count("id"))
    assert all(row["n"] == 1 for row in per_ticket)
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
