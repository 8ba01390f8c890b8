"""Tickets of an assignee who is away, offline or on leave move on after the grace period:
to the agent's backup when the backup fits, otherwise back through routing."""

from __future__ import annotations

import datetime as dt

import pytest

from helpdesk.models import Agent, AgentLeave, AgentStatus, Notification, TicketEvent, Trigger
from tests.escalation.conftest import MONDAY_9AM
from tests.factories import AgentFactory, SlaPolicyFactory, UserFactory

pytestmark = pytest.mark.django_db

M = dt.timedelta(minutes=1)


@pytest.fixture
def policy(tier1):
    return SlaPolicyFactory(tier=tier1, resolution_minutes=7 * 24 * 60, handoff_grace_minutes=30)


@pytest.fixture
def backup(billing, tier1):
    return AgentFactory(user=UserFactory(username="bob"), tier=tier1, teams=[billing])


def go_away(agent: Agent, status: str = AgentStatus.AWAY) -> None:
    """Set the status directly: the router's immediate reaction to a status change is not under test here."""
    Agent.objects.filter(pk=agent.pk).update(status=status, status_changed_at=MONDAY_9AM)


def test_an_away_agents_tickets_go_to_their_backup_after_the_grace_period(
    policy, agent, backup, new_ticket, clock, sweep
):
    agent.backup = backup
    agent.save()
    backup.status = AgentStatus.OFFLINE  # so the new ticket lands with the agent
    backup.save()
    ticket = new_ticket()
    assert ticket.assignee == agent
    Agent.objects.filter(pk=backup.pk).update(status=AgentStatus.AVAILABLE)
    go_away(agent)

    clock.move_to(MONDAY_9AM + 29 * M)
    assert sweep().lines == []  # still within the grace period

    clock.move_to(MONDAY_9AM + 30 * M)
    report = sweep()
    assert report.lines == [f"#{ticket.pk} handed on (ana is away) to their backup bob"]
    ticket.refresh_from_db()
    assert ticket.assignee == backup
    handoff = TicketEvent.objects.get(ticket=ticket, code="ticket.assigned", to_agent=backup)
    assert handoff.trigger == Trigger.SLA
    assert Notification.objects.filter(recipient=backup.user, kind="assignment", ticket=ticket).exists()
    assert sweep().lines == []


def test_when_the_backup_cannot_take_it_the_ticket_is_routed_to_someone_else(
    policy, agent, backup, billing, tier1, new_ticket, clock, sweep
):
    agent.backup = backup
    agent.save()
    backup.status = AgentStatus.OFFLINE
    backup.save()
    ticket = new_ticket()
    assert ticket.assignee == agent
    Agent.objects.filter(pk=backup.pk).update(status=AgentStatus.AVAILABLE, capacity=0)  # back, but full
    stand_in = AgentFactory(user=UserFactory(username="sam"), tier=tier1, teams=[billing])
    go_away(agent, AgentStatus.OFFLINE)
    clock.move_to(MONDAY_9AM + 31 * M)
    report = sweep()
    assert report.lines == [f"#{ticket.pk} handed on (ana is offline) to routing"]
    ticket.refresh_from_db()
    assert ticket.assignee == stand_in


def test_an_agent_on_leave_hands_on_tickets_from_the_start_of_the_leave(
    policy, agent, backup, new_ticket, clock, sweep
):
    agent.backup = backup
    agent.save()
    backup.status = AgentStatus.OFFLINE
    backup.save()
    ticket = new_ticket()
    Agent.objects.filter(pk=backup.pk).update(status=AgentStatus.AVAILABLE)
    AgentLeave.objects.create(agent=agent, starts_on=MONDAY_9AM.date(), ends_on=MONDAY_9AM.date())
    report = sweep()
    assert report.lines == [f"#{ticket.pk} handed on (ana is on leave) to their backup bob"]


def test_an_available_agent_keeps_their_tickets(policy, agent, backup, new_ticket, clock, sweep):
    agent.backup = backup
    agent.save()
    new_ticket()
    clock.move_to(MONDAY_9AM + 5 * 60 * M)
    assert not [line for line in sweep().lines if "handed on" in line]


def test_dry_run_lists_hand_offs_without_making_them(policy, agent, new_ticket, clock, sweep):
    ticket = new_ticket()
    go_away(agent)
    clock.move_to(MONDAY_9AM + 31 * M)
    report = sweep(dry_run=True)
    assert report.lines == [f"#{ticket.pk} would be handed on (ana is away) to routing"]
    ticket.refresh_from_db()
    assert ticket.assignee == agent
