"""A customer cannot jump the queue with keywords: a follow-up moves the ticket's team or priority only
when the trained model agrees with confidence, and the routing decision says which it was."""

from __future__ import annotations

import pytest

from escalation.models import RoutingDecision
from escalation.routing import engine as routing
from escalation.routing.follow_up import FOLLOW_UP_CONFIDENCE
from escalation.triage.result import TriageResult
from helpdesk.models import Priority, Status
from helpdesk.services import message_add
from tests.factories import AgentFactory, TeamFactory, TicketFactory, UserFactory

pytestmark = pytest.mark.django_db

SCARE = "URGENT!!! This is a security breach, fix my profile picture NOW!!!"


@pytest.fixture
def accounts(tier1):
    team = TeamFactory(name="Accounts")
    AgentFactory(user=UserFactory(username="abe"), tier=tier1, teams=[team])
    return team


@pytest.fixture
def security(tier1):
    team = TeamFactory(name="Security")
    AgentFactory(user=UserFactory(username="sam"), tier=tier1, teams=[team])
    return team


@pytest.fixture
def question(accounts, tier1, customer):
    return TicketFactory(
        subject="How do I change my profile picture?",
        team=accounts,
        tier=tier1,
        priority=Priority.NORMAL,
        status=Status.OPEN,
        customer=customer,
        frustration=0.1,
    )


def _triage(**result):
    return lambda ticket, **_: TriageResult(**{"category": ticket.category, "frustration": 0.9, **result})


def test_keywords_alone_leave_the_ticket_where_it_was(question, accounts, customer, run_tasks, monkeypatch):
    monkeypatch.setattr(routing, "triage_ticket", _triage(source="keywords"))
    with run_tasks():
        message_add(ticket=question, author=customer, body=SCARE)
    question.refresh_from_db()
    assert (question.team, question.priority) == (accounts, Priority.NORMAL)
    decision = RoutingDecision.objects.get(ticket=question, trigger="customer_wrote")
    assert "Security incident" in decision.explanation and "moves are set aside" in decision.explanation
    assert decision.agent is not None and decision.team == accounts  # still served by Accounts


def test_an_unsure_model_does_not_move_it_either(
    question, accounts, security, customer, run_tasks, monkeypatch
):
    unsure = FOLLOW_UP_CONFIDENCE - 0.3
    monkeypatch.setattr(routing, "triage_ticket", _triage(team=security, source="model", confidence=unsure))
    with run_tasks():
        message_add(ticket=question, author=customer, body=SCARE)
    question.refresh_from_db()
    assert question.team == accounts
    explanation = RoutingDecision.objects.get(ticket=question).explanation
    assert f"the model's confidence is {unsure:.0%}" in explanation


def test_a_confident_model_moves_it_and_the_decision_says_so(
    question, security, customer, run_tasks, monkeypatch
):
    monkeypatch.setattr(routing, "triage_ticket", _triage(team=security, source="model", confidence=0.95))
    with run_tasks():
        message_add(ticket=question, author=customer, body=SCARE)
    question.refresh_from_db()
    assert (question.team, question.priority) == (security, Priority.URGENT)
    assert "the model agrees" in RoutingDecision.objects.get(ticket=question).explanation


def test_an_agent_confirms_by_escalating(question, accounts, security, customer, run_tasks, monkeypatch):
    from helpdesk.services import ticket_escalate

    monkeypatch.setattr(routing, "triage_ticket", _triage(source="keywords"))
    with run_tasks():
        message_add(ticket=question, author=customer, body=SCARE)
        ticket_escalate(
            ticket=question,
            kind="functional",
            team=security,
            actor=accounts.agents.first().user,
            reason="Confirmed: looks like a real breach",
        )
    question.refresh_from_db()
    assert question.team == security
