"""The foundation router: a new ticket reaches an available agent of its team after commit."""

from __future__ import annotations

import pytest

from escalation.models import RoutingDecision
from helpdesk.models import AgentStatus, Status
from helpdesk.services import agent_set_status, ticket_create
from tests.factories import AgentFactory, CategoryFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_new_ticket_is_routed_after_commit(
    customer, agent, billing, tier1, django_capture_on_commit_callbacks
):
    category = CategoryFactory(name="Refund request", team=billing)
    with django_capture_on_commit_callbacks(execute=True):
        ticket = ticket_create(customer=customer, subject="Refund", body="please", category=category)
    # Routing runs once, after commit (the SLA bookkeeping enqueues its own tasks alongside).
    assert RoutingDecision.objects.filter(ticket=ticket).count() == 1
    ticket.refresh_from_db()
    assert ticket.assignee == agent and ticket.tier == tier1 and ticket.status == Status.OPEN
    assert ticket.first_response_due is not None and ticket.priority_score is not None
    decision = RoutingDecision.objects.get(ticket=ticket)
    assert decision.agent == agent and decision.trigger == "created"


def test_least_loaded_agent_wins(customer, billing, tier1, django_capture_on_commit_callbacks):
    busy = AgentFactory(user=UserFactory(username="busy"), tier=tier1, teams=[billing], capacity=5)
    free = AgentFactory(user=UserFactory(username="free"), tier=tier1, teams=[billing], capacity=5)
    category = CategoryFactory(name="Refund request", team=billing)
    with django_capture_on_commit_callbacks(execute=True):
        first = ticket_create(customer=customer, subject="a", body="a", category=category)
    first.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        second = ticket_create(customer=customer, subject="b", body="b", category=category)
    second.refresh_from_db()
    assert {first.assignee, second.assignee} == {busy, free}


def test_agent_going_offline_hands_tickets_on(
    customer, agent, billing, tier1, django_capture_on_commit_callbacks
):
    colleague = AgentFactory(
        user=UserFactory(username="col"), tier=tier1, teams=[billing], status=AgentStatus.OFFLINE
    )
    category = CategoryFactory(name="Refund request", team=billing)
    with django_capture_on_commit_callbacks(execute=True):
        ticket = ticket_create(customer=customer, subject="a", body="a", category=category)
    ticket.refresh_from_db()
    assert ticket.assignee == agent
    with django_capture_on_commit_callbacks(execute=True):
        agent_set_status(agent=colleague, status=AgentStatus.AVAILABLE)
        agent_set_status(agent=agent, status=AgentStatus.OFFLINE)
    ticket.refresh_from_db()
    assert ticket.assignee == colleague
