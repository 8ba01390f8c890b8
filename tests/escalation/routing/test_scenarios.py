"""The seeds' scenarios, end to end: a ticket is created, escalated or freed, and routing reacts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from escalation.models import RoutingDecision
from escalation.routing import engine as routing
from escalation.routing.scoring import score_ticket
from escalation.triage.result import TriageResult
from helpdesk.models import AgentStatus, Autonomy, Priority, Segment, Status, TicketEvent
from helpdesk.services import agent_set_status, ticket_escalate, ticket_resolve
from tests.factories import AgentFactory, CustomerFactory, OrganizationFactory, TicketFactory, UserFactory

pytestmark = pytest.mark.django_db


def open_tickets(agent, team, n):
    for _ in range(n):
        TicketFactory(assignee=agent, team=team, tier=agent.tier, status=Status.OPEN)


def test_busy_payments_specialist_loses_the_next_billing_ticket_to_the_second_best(
    billing, tier1, skills, categories, submit
):
    specialist = AgentFactory(tier=tier1, teams=[billing], capacity=8, skills={skills["payments"]: 5})
    second_best = AgentFactory(tier=tier1, teams=[billing], capacity=8, skills={skills["payments"]: 3})
    open_tickets(specialist, billing, 5)
    open_tickets(second_best, billing, 2)

    ticket = submit("Charged twice", "We were charged twice for March, $40 each time.")

    assert ticket.team == billing
    assert ticket.assignee == second_best
    decision = RoutingDecision.objects.get(ticket=ticket)
    by_agent = {c["agent"]: c for c in decision.candidates}
    # The specialist fits better but is far busier: balance wins when the ticket is not urgent.
    assert (
        by_agent[specialist.user.username]["details"]["skill_fit"]
        > by_agent[second_best.user.username]["details"]["skill_fit"]
    )
    assert by_agent[specialist.user.username]["score"] < by_agent[second_best.user.username]["score"]


def test_the_specialist_wins_when_loads_are_equal(billing, tier1, skills, categories, submit):
    specialist = AgentFactory(tier=tier1, teams=[billing], capacity=8, skills={skills["payments"]: 5})
    AgentFactory(tier=tier1, teams=[billing], capacity=8, skills={skills["payments"]: 3})

    ticket = submit("Charged twice", "We were charged twice for March, $40 each time.")

    assert ticket.assignee == specialist


def test_enterprise_account_near_renewal_outranks_a_trial_users_bigger_bug(billing, tier1):
    today = timezone.localdate()
    enterprise = OrganizationFactory(
        segment=Segment.ENTERPRISE,
        annual_contract_value=Decimal("220000"),
        renewal_date=today + dt.timedelta(weeks=3),
        churn_risk=0.2,
    )
    trial = OrganizationFactory(
        segment=Segment.TRIAL,
        annual_contract_value=0,
        renewal_date=today + dt.timedelta(days=10),
        churn_risk=0.2,
    )
    big_bug = TicketFactory(
        subject="App crashes for all users",
        body="The app is broken and crashes on start. Production down for our trial.",
        customer=CustomerFactory(organization=trial).user,
        team=billing,
    )
    small_issue = TicketFactory(
        subject="Export is slow",
        body="The monthly export takes a while.",
        customer=CustomerFactory(organization=enterprise).user,
        team=billing,
    )

    enterprise_score, trial_score = score_ticket(small_issue), score_ticket(big_bug)

    assert enterprise_score.value > trial_score.value
    severity = next(f for f in trial_score.factors if f.name == "severity")
    assert severity.contribution > 0  # the trial's bug did count, it is just worth less than the account


def test_security_breach_goes_to_security_as_urgent(security, billing, tier1, skills, categories, submit):
    guard = AgentFactory(tier=tier1, teams=[security], skills={skills["security"]: 4})

    ticket = submit("Strange logins", "We suspect a data breach: unknown admins appeared overnight.")

    assert ticket.team == security
    assert ticket.priority == Priority.URGENT
    assert ticket.assignee == guard
    decision = RoutingDecision.objects.get(ticket=ticket)
    assert "Security incident: unauthorized access or breach" in decision.rules_fired


def test_dispute_over_500_dollars_requires_a_human_in_billing(
    billing, technical, tier1, skills, categories, submit
):
    person = AgentFactory(tier=tier1, teams=[billing], skills={skills["payments"]: 3})

    ticket = submit("Card statement", "There is a disputed charge of $1,250.00 that we never approved.")

    assert ticket.team == billing and ticket.assignee == person
    assert ticket.requires_human and ticket.autonomy == Autonomy.HUMAN
    assert "Billing dispute over $500" in RoutingDecision.objects.get(ticket=ticket).rules_fired


def test_small_dispute_does_not_require_a_human(billing, tier1, skills, categories, submit):
    AgentFactory(tier=tier1, teams=[billing], skills={skills["payments"]: 3})

    ticket = submit("Card statement", "There is a disputed charge of $120 that we never approved.")

    assert ticket.team == billing and not ticket.requires_human


def test_ping_pong_between_billing_and_technical_ends_at_the_coordinator(
    billing, technical, tier1, coordinator, categories, submit, run_tasks, agent, outsider
):
    ticket = submit("Refund", "Please refund the last invoice.")
    assert ticket.team == billing and ticket.assignee == agent

    with run_tasks():
        ticket_escalate(
            ticket=ticket,
            kind="functional",
            team=technical,
            actor=agent.user,
            reason="Looks like an API sync issue.",
        )
    ticket.refresh_from_db()
    assert ticket.assignee == outsider

    with run_tasks():
        ticket_escalate(
            ticket=ticket, kind="functional", team=billing, actor=outsider.user, reason="This is billing."
        )
    ticket.refresh_from_db()

    assert ticket.assignee == coordinator
    assert ticket.is_flagged
    blocked = TicketEvent.objects.get(ticket=ticket, code="routing.circular_blocked")
    assert "Billing → Technical → Billing" in blocked.reason
    assert RoutingDecision.objects.filter(ticket=ticket).first().agent == coordinator


def test_agent_going_offline_has_open_tickets_rerouted_to_their_backup_first(
    billing, tier1, categories, submit, run_tasks
):
    leaving = AgentFactory(user=UserFactory(username="leaving"), tier=tier1, teams=[billing], capacity=5)
    backup = AgentFactory(user=UserFactory(username="backup"), tier=tier1, teams=[billing], capacity=5)
    other = AgentFactory(user=UserFactory(username="other"), tier=tier1, teams=[billing], capacity=5)
    leaving.backup = backup
    leaving.save()
    open_tickets(backup, billing, 2)  # the backup is busier than `other`, and still preferred
    tickets = [
        TicketFactory(assignee=leaving, team=billing, tier=tier1, status=Status.OPEN) for _ in range(2)
    ]

    with run_tasks():
        agent_set_status(agent=leaving, status=AgentStatus.OFFLINE)

    for ticket in tickets:
        ticket.refresh_from_db()
        assert ticket.assignee == backup
    assert other.assigned_tickets.count() == 0


def test_agent_going_offline_without_backup_hands_tickets_to_an_eligible_colleague(billing, tier1, run_tasks):
    leaving = AgentFactory(tier=tier1, teams=[billing])
    colleague = AgentFactory(tier=tier1, teams=[billing])
    AgentFactory(tier=tier1, teams=[billing], status=AgentStatus.AWAY)
    ticket = TicketFactory(assignee=leaving, team=billing, tier=tier1, status=Status.OPEN)

    with run_tasks():
        agent_set_status(agent=leaving, status=AgentStatus.OFFLINE)

    ticket.refresh_from_db()
    assert ticket.assignee == colleague
    decision = RoutingDecision.objects.get(ticket=ticket)
    assert decision.trigger == "agent_unavailable"
    reasons = {c["agent"]: c["excluded_reason"] for c in decision.candidates}
    assert reasons[leaving.user.username] == "handed this ticket on"


def test_freed_agent_receives_the_highest_priority_waiting_ticket(billing, tier1, submit, run_tasks):
    only = AgentFactory(tier=tier1, teams=[billing], capacity=1)
    current = TicketFactory(assignee=only, team=billing, tier=tier1, status=Status.OPEN)
    earlier = timezone.now() - dt.timedelta(hours=3)
    # One subject for all: triage reads the subject too, and the factory's numbered subjects made the two
    # equal tickets score apart depending on which tests ran before.
    waiting = {"team": billing, "tier": tier1, "subject": "Cannot export"}
    older_low = TicketFactory(**waiting, body="A question.", created_at=earlier)
    newer_high = TicketFactory(**waiting, body="Production down for all users, urgent!")
    same_high_newer = TicketFactory(**waiting, body="Production down for all users, urgent!")
    for waiting in (older_low, newer_high, same_high_newer):
        assert routing.route([waiting.pk], "created").get(waiting.pk).agent is None  # the only agent is full

    with run_tasks():
        ticket_resolve(ticket=current, actor=only.user)

    for ticket in (older_low, newer_high, same_high_newer):
        ticket.refresh_from_db()
    assert newer_high.assignee == only  # highest score, and older than its equal
    assert older_low.assignee is None and same_high_newer.assignee is None


def _model_says(category, team, probabilities):
    return lambda ticket, **_: TriageResult(
        category=category, team=team, confidence=0.6, category_probabilities=probabilities, source="model"
    )


def test_a_rule_that_moves_the_team_takes_the_models_likeliest_category_of_that_team(
    security, billing, tier1, skills, categories, submit, monkeypatch
):
    AgentFactory(tier=tier1, teams=[security], skills={skills["security"]: 4})
    guess = {"Refund request": 0.6, "Security incident": 0.25, "Billing dispute": 0.15}
    monkeypatch.setattr(routing, "triage_ticket", _model_says(categories["Refund request"], billing, guess))

    ticket = submit("Refund?", "Someone got unauthorized access and bought a plan; can we get a refund?")

    assert ticket.team == security  # the security rule
    assert ticket.category == categories["Security incident"] and ticket.category_source == "model"
    assert ticket.confidence == pytest.approx(0.25)  # in the category it carries, not the one it lost
    explanation = RoutingDecision.objects.get(ticket=ticket).explanation
    assert "Category Refund request is Billing's, not Security's" in explanation
    assert "likeliest of Security's categories is Security incident (25%)" in explanation


def test_with_no_category_of_the_new_team_known_to_the_model_the_category_is_cleared(
    security, billing, tier1, skills, categories, submit, monkeypatch
):
    AgentFactory(tier=tier1, teams=[security], skills={skills["security"]: 4})
    guess = {"Refund request": 0.7, "Billing dispute": 0.3}
    monkeypatch.setattr(routing, "triage_ticket", _model_says(categories["Refund request"], billing, guess))

    ticket = submit("Refund?", "Someone got unauthorized access and bought a plan; can we get a refund?")

    assert ticket.team == security and ticket.category is None
    assert "category cleared" in RoutingDecision.objects.get(ticket=ticket).explanation
