"""Routing is continuous: it re-runs on reopen, decline, new customer messages, waits and retries."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from escalation.models import EscalationRule, RoutingConfig, RoutingDecision
from escalation.routing import choosers
from escalation.routing import engine as routing
from escalation.triage.result import TriageResult
from escalation.triage.sentiment import ticket_mood
from helpdesk.models import AgentLeave, AgentStatus, Notification, Status, TicketEvent
from helpdesk.services import errors, message_add, ticket_decline, ticket_reopen, ticket_resolve
from tests.factories import AgentFactory, CategoryFactory, TicketFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_routing_a_ticket_twice_never_assigns_it_twice(billing, tier1, agent):
    AgentFactory(tier=tier1, teams=[billing])
    ticket = TicketFactory(team=billing, tier=tier1)

    first = routing.route([ticket.pk], "created").get(ticket.pk)
    second = routing.route([ticket.pk], "created").get(ticket.pk)  # django-q2 retried the task

    assert first.agent is not None and second is None
    assert TicketEvent.objects.filter(ticket=ticket, code="ticket.assigned").count() == 1


def test_closed_or_missing_tickets_are_left_alone(billing, tier1, agent):
    ticket = TicketFactory(team=billing, tier=tier1, status=Status.CLOSED)
    assert routing.route([ticket.pk], "created").get(ticket.pk) is None
    assert routing.route([999_999], "created") == {}


def test_reopened_ticket_goes_back_to_its_last_agent_when_fit(billing, tier1, agent, run_tasks):
    AgentFactory(tier=tier1, teams=[billing])  # an idle colleague who would otherwise win on load
    ticket = TicketFactory(team=billing, tier=tier1, assignee=agent, status=Status.OPEN)
    TicketFactory.create_batch(3, team=billing, tier=tier1, assignee=agent, status=Status.OPEN)
    ticket_resolve(ticket=ticket, actor=agent.user)

    with run_tasks():
        ticket_reopen(ticket=ticket, actor=ticket.customer, reason="Still broken.")

    ticket.refresh_from_db()
    assert ticket.assignee == agent
    decision = RoutingDecision.objects.get(ticket=ticket)
    assert (
        decision.trigger == "reopened" and "back to the agent who handled it before" in decision.explanation
    )


def test_reopened_ticket_moves_on_when_its_last_agent_is_offline(billing, tier1, agent, run_tasks):
    colleague = AgentFactory(tier=tier1, teams=[billing])
    ticket = TicketFactory(team=billing, tier=tier1, assignee=agent, status=Status.OPEN)
    ticket_resolve(ticket=ticket, actor=agent.user)
    agent.status = AgentStatus.OFFLINE
    agent.save()

    with run_tasks():
        ticket_reopen(ticket=ticket, actor=ticket.customer, reason="Still broken.")

    ticket.refresh_from_db()
    assert ticket.assignee == colleague


def test_declining_with_a_reason_reroutes_to_someone_else(billing, tier1, agent, run_tasks):
    colleague = AgentFactory(tier=tier1, teams=[billing])
    ticket = TicketFactory(team=billing, tier=tier1, assignee=agent, status=Status.OPEN)

    with run_tasks():
        ticket_decline(
            ticket=ticket, agent=agent, reason="I wrote the original invoice; conflict of interest."
        )

    ticket.refresh_from_db()
    assert ticket.assignee == colleague
    decision = RoutingDecision.objects.get(ticket=ticket)
    reasons = {c["agent"]: c["excluded_reason"] for c in decision.candidates}
    assert decision.trigger == "declined" and reasons[agent.user.username] == "declined this ticket"


def test_a_declined_ticket_with_nobody_else_waits_rather_than_returning(billing, tier1, agent, run_tasks):
    ticket = TicketFactory(team=billing, tier=tier1, assignee=agent, status=Status.OPEN)
    with run_tasks():
        ticket_decline(ticket=ticket, agent=agent, reason="Not my area.")
    ticket.refresh_from_db()
    assert ticket.assignee is None


def test_decline_needs_a_reason_and_the_assignee(billing, tier1, agent, outsider):
    ticket = TicketFactory(team=billing, tier=tier1, assignee=agent, status=Status.OPEN)
    with pytest.raises(ValidationError) as no_reason:
        ticket_decline(ticket=ticket, agent=agent, reason="  ")
    assert no_reason.value.message_dict == {"reason": [errors.ERR_DECLINE_REASON_REQUIRED]}
    with pytest.raises(ValidationError) as not_theirs:
        ticket_decline(ticket=ticket, agent=outsider, reason="Not mine")
    assert not_theirs.value.message_dict == {"non_field_errors": [errors.ERR_NOT_ASSIGNEE]}


def test_agent_page_offers_decline_to_the_assignee(agent_client, agent, billing, tier1, run_tasks):
    ticket = TicketFactory(team=billing, tier=tier1, assignee=agent, status=Status.OPEN)
    page = agent_client.get(f"/agent/tickets/{ticket.pk}/")
    assert b'value="decline"' in page.content

    with run_tasks():
        response = agent_client.post(
            f"/agent/tickets/{ticket.pk}/action/", {"action": "decline", "reason": "On a training all day."}
        )

    assert response.status_code == 302
    assert TicketEvent.objects.get(ticket=ticket, code="ticket.declined").reason == "On a training all day."


def test_agent_page_shows_the_decline_reason_error(agent_client, agent, billing, tier1):
    ticket = TicketFactory(team=billing, tier=tier1, assignee=agent, status=Status.OPEN)
    response = agent_client.post(f"/agent/tickets/{ticket.pk}/action/", {"action": "decline", "reason": ""})
    assert response.status_code == 400
    assert errors.ERR_DECLINE_REASON_REQUIRED in response.content.decode()


def fake_triage(**changes):
    def triage(ticket, **_):
        return TriageResult(**{"category": ticket.category, "team": ticket.team, **changes})

    return triage


def test_customer_message_that_changes_the_category_reroutes_to_the_new_team(
    billing, technical, tier1, agent, outsider, customer, run_tasks, monkeypatch
):
    api_category = CategoryFactory(name="API & integrations", team=technical)
    ticket = TicketFactory(team=billing, tier=tier1, assignee=agent, status=Status.OPEN, customer=customer)
    monkeypatch.setattr(
        routing,
        "triage_ticket",
        fake_triage(category=api_category, team=technical, source="model", confidence=0.9),
    )

    with run_tasks():
        message_add(ticket=ticket, author=customer, body="Actually the webhook returns 500 since Monday.")

    ticket.refresh_from_db()
    assert ticket.team == technical and ticket.category == api_category and ticket.assignee == outsider
    assert RoutingDecision.objects.get(ticket=ticket).trigger == "customer_wrote"
    moved = TicketEvent.objects.get(ticket=ticket, code="escalation.functional")  # an automatic escalation
    assert (moved.from_team, moved.to_team, moved.from_agent) == (billing, technical, agent)
    assert ticket.escalation_count == 1


def test_customer_message_with_a_sharp_frustration_rise_is_rerouted_but_stays_put_when_fit(
    billing, tier1, agent, customer, run_tasks, monkeypatch
):
    ticket = TicketFactory(
        team=billing, tier=tier1, assignee=agent, status=Status.OPEN, customer=customer, frustration=0.1
    )
    monkeypatch.setattr(
        routing, "triage_ticket", fake_triage(frustration=0.9, source="model", confidence=0.85)
    )

    with run_tasks():
        message_add(ticket=ticket, author=customer, body="This is the third time I am asking!!")

    ticket.refresh_from_db()
    decision = RoutingDecision.objects.get(ticket=ticket)
    assert ticket.assignee == agent and ticket.frustration == 0.9
    assert "Furious customer" in decision.rules_fired and ticket.priority in ("high", "urgent")


def test_customer_message_without_material_change_does_not_reroute(
    billing, tier1, agent, customer, run_tasks
):
    ticket = TicketFactory(
        team=billing,
        tier=tier1,
        assignee=agent,
        status=Status.OPEN,
        customer=customer,
        subject="Invoice copy",
        body="Something does not work as expected with the invoice.",
    )
    # As the first triage left it: the factory's numbered subjects read as more or less upset depending
    # on the number, so a ticket never triaged (frustration unset) could "rise" on its own text.
    ticket.frustration = ticket_mood(ticket).frustration
    ticket.save(update_fields=["frustration"])
    with run_tasks():
        message_add(ticket=ticket, author=customer, body="Thanks, any news?")
    assert not RoutingDecision.objects.filter(ticket=ticket).exists()


def test_optional_skill_relaxes_after_the_configured_wait(billing, tier1, skills, run_tasks):
    generalist = AgentFactory(tier=tier1, teams=[billing])
    EscalationRule.objects.create(
        name="Refunds prefer the refunds skill",
        conditions={"field": "text", "op": "contains_any", "value": ["refund"]},
        actions=[{"type": "add_skill", "skill": "refunds", "required": False}],
    )
    ticket = TicketFactory(team=billing, tier=tier1, subject="Refund please", body="Refund the last invoice.")

    first = routing.route([ticket.pk], "created").get(ticket.pk)
    assert first.agent is None
    assert "missing preferred skill: refunds" in first.candidates[0]["excluded_reason"]

    with time_machine.travel(timezone.now() + dt.timedelta(minutes=16)):
        assert routing.recheck_waiting_tickets() == 1
    ticket.refresh_from_db()
    assert ticket.assignee == generalist
    assert "Preferred skills relaxed" in RoutingDecision.objects.filter(ticket=ticket).first().explanation


def test_required_skill_never_relaxes(billing, tier1, skills, categories):
    AgentFactory(tier=tier1, teams=[billing])
    ticket = TicketFactory(team=billing, tier=tier1, category=categories["Billing dispute"])
    routing.route([ticket.pk], "created").get(ticket.pk)
    with time_machine.travel(timezone.now() + dt.timedelta(hours=5)):
        routing.recheck_waiting_tickets()
    ticket.refresh_from_db()
    assert ticket.assignee is None


def test_overflow_to_the_next_tier_after_the_configured_wait(billing, tier1, tier2):
    busy = AgentFactory(tier=tier1, teams=[billing], capacity=1)
    TicketFactory(team=billing, tier=tier1, assignee=busy, status=Status.OPEN)
    senior = AgentFactory(tier=tier2, teams=[billing])
    ticket = TicketFactory(team=billing, tier=tier1)

    assert routing.route([ticket.pk], "created").get(ticket.pk).agent is None
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=31)):
        routing.recheck_waiting_tickets()

    ticket.refresh_from_db()
    assert ticket.assignee == senior and ticket.tier == tier2
    assert TicketEvent.objects.filter(
        ticket=ticket, code="ticket.tier_changed", reason__startswith="Overflow"
    ).exists()


def test_recheck_does_not_record_an_unchanged_wait_again(billing, tier1):
    AgentFactory(tier=tier1, teams=[billing], status=AgentStatus.OFFLINE)
    ticket = TicketFactory(team=billing, tier=tier1)
    routing.route([ticket.pk], "created").get(ticket.pk)
    routing.recheck_waiting_tickets()
    routing.recheck_waiting_tickets()
    assert RoutingDecision.objects.filter(ticket=ticket).count() == 1


def test_agent_on_leave_receives_nothing(billing, tier1):
    away = AgentFactory(tier=tier1, teams=[billing])
    today = timezone.localdate()
    AgentLeave.objects.create(agent=away, starts_on=today, ends_on=today + dt.timedelta(days=3))
    ticket = TicketFactory(team=billing, tier=tier1)

    decision = routing.route([ticket.pk], "created").get(ticket.pk)

    assert decision.agent is None
    assert decision.candidates[0]["excluded_reason"] == "on leave"


def test_agent_on_leave_has_tickets_rerouted_when_asked(billing, tier1):
    away = AgentFactory(tier=tier1, teams=[billing])
    colleague = AgentFactory(tier=tier1, teams=[billing])
    ticket = TicketFactory(team=billing, tier=tier1, assignee=away, status=Status.OPEN)
    today = timezone.localdate()
    AgentLeave.objects.create(agent=away, starts_on=today, ends_on=today)

    assert routing.reroute_agent_tickets(away.pk) == 1  # what the SLA sweep calls after its grace period
    ticket.refresh_from_db()
    assert ticket.assignee == colleague


def test_available_agent_keeps_tickets_when_reroute_comes_late(billing, tier1, agent):
    ticket = TicketFactory(team=billing, tier=tier1, assignee=agent, status=Status.OPEN)
    assert routing.reroute_agent_tickets(agent.pk) == 0
    ticket.refresh_from_db()
    assert ticket.assignee == agent


def test_away_does_not_reroute_at_once(billing, tier1, agent, run_tasks):
    from helpdesk.services import agent_set_status

    AgentFactory(tier=tier1, teams=[billing])
    ticket = TicketFactory(team=billing, tier=tier1, assignee=agent, status=Status.OPEN)
    with run_tasks():
        agent_set_status(agent=agent, status=AgentStatus.AWAY)  # the SLA sweep re-routes after a grace period
    ticket.refresh_from_db()
    assert ticket.assignee == agent


def test_agent_becoming_available_is_offered_waiting_work(billing, tier1, run_tasks):
    from helpdesk.services import agent_set_status

    returning = AgentFactory(tier=tier1, teams=[billing], status=AgentStatus.OFFLINE)
    ticket = TicketFactory(team=billing, tier=tier1)
    routing.route([ticket.pk], "created").get(ticket.pk)

    with run_tasks():
        agent_set_status(agent=returning, status=AgentStatus.AVAILABLE)

    ticket.refresh_from_db()
    assert ticket.assignee == returning


def test_rule_notify_tells_the_team_lead_once(billing, tier1, agent, lead):
    billing.lead = lead
    billing.save()
    EscalationRule.objects.create(
        name="Tell the lead about VIP refunds",
        conditions={"field": "text", "op": "contains_any", "value": ["refund"]},
        actions=[{"type": "notify", "to": "team_lead", "message": "Refund asked"}],
    )
    ticket = TicketFactory(team=billing, tier=tier1, subject="Refund", body="refund please")
    routing.route([ticket.pk], "created").get(ticket.pk)
    routing.route([ticket.pk], "reopened").get(ticket.pk)
    assert Notification.objects.filter(recipient=lead.user, kind="rule").count() == 1


def test_assignment_notifies_the_agent(billing, tier1, agent):
    ticket = TicketFactory(team=billing, tier=tier1)
    routing.route([ticket.pk], "created").get(ticket.pk)
    assert Notification.objects.filter(recipient=agent.user, kind="assignment", ticket=ticket).exists()


def test_automation_that_handles_the_ticket_means_no_agent(billing, tier1, agent, monkeypatch):
    from escalation.autonomy.decision import AutonomyDecision

    monkeypatch.setattr(
        routing,
        "decide_autonomy",
        lambda t, tr, human_required, **_: AutonomyDecision(
            "autonomous", "Answered from the knowledge base."
        ),
    )
    monkeypatch.setattr(choosers, "apply_autonomy", lambda t, d: True)
    ticket = TicketFactory(team=billing, tier=tier1)

    decision = routing.route([ticket.pk], "created").get(ticket.pk)

    ticket.refresh_from_db()
    assert decision.agent is None and ticket.assignee is None
    assert decision.explanation.startswith("Handled automatically")


def test_a_rule_requiring_a_human_beats_automation(billing, tier1, skills, monkeypatch):
    from escalation.autonomy.decision import AutonomyDecision

    agent = AgentFactory(tier=tier1, teams=[billing], skills={skills["payments"]: 3})

    calls = []
    monkeypatch.setattr(
        routing,
        "decide_autonomy",
        lambda t, tr, human_required, **_: AutonomyDecision("human" if human_required else "autonomous", "x"),
    )
    monkeypatch.setattr(choosers, "apply_autonomy", lambda t, d: calls.append(d) or True)
    ticket = TicketFactory(team=billing, tier=tier1, body="We dispute a charge of $900.")

    decision = routing.route([ticket.pk], "created").get(ticket.pk)

    assert calls == [] and decision.agent == agent


def test_hop_limit_sends_the_ticket_to_the_coordinator(billing, technical, tier1, coordinator, run_tasks):
    from helpdesk.models import Team
    from helpdesk.services import ticket_escalate

    config = RoutingConfig.load()
    config.hop_limit = 1
    config.save()
    third = Team.objects.create(name="Accounts")
    ticket = TicketFactory(team=billing, tier=tier1)
    routing.route([ticket.pk], "created").get(ticket.pk)
    with run_tasks():
        ticket_escalate(ticket=ticket, kind="functional", team=technical, actor=None, reason="API")
    with run_tasks():
        ticket_escalate(ticket=ticket, kind="functional", team=third, actor=None, reason="Account")
    ticket.refresh_from_db()
    assert ticket.assignee == coordinator and ticket.is_flagged


def test_unknown_language_excludes_the_agent(billing, tier1):
    AgentFactory(user=UserFactory(username="en_only"), tier=tier1, teams=[billing], languages=["en"])
    german = AgentFactory(
        user=UserFactory(username="de_too"), tier=tier1, teams=[billing], languages=["en", "de"]
    )
    ticket = TicketFactory(team=billing, tier=tier1, language="de")
    decision = routing.route([ticket.pk], "created").get(ticket.pk)
    assert decision.agent == german
    assert {c["agent"]: c["excluded_reason"] for c in decision.candidates}["en_only"] == "does not speak de"


def test_recheck_leaves_brand_new_tickets_to_their_own_routing_task(billing, tier1, agent):
    ticket = TicketFactory(team=billing, tier=tier1)
    assert routing.recheck_waiting_tickets() == 0
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=3)):  # its task was lost
        assert routing.recheck_waiting_tickets() == 1
    ticket.refresh_from_db()
    assert ticket.assignee == agent


def test_a_first_routing_reached_by_a_recheck_still_applies_the_rules_team(
    billing, security, tier1, agent, skills
):
    guard = AgentFactory(tier=tier1, teams=[security], skills={skills["security"]: 4})
    ticket = TicketFactory(team=billing, tier=tier1, body="We see unauthorized access to our admin account.")

    decision = routing.route([ticket.pk], "recheck").get(ticket.pk)

    ticket.refresh_from_db()
    assert decision.trigger == "created" and ticket.team == security and ticket.assignee == guard


def test_category_skills_only_prefer_after_a_functional_escalation(
    billing, technical, tier1, categories, run_tasks
):
    from helpdesk.services import ticket_escalate

    billing_agent = AgentFactory(tier=tier1, teams=[billing])  # no "api" skill
    ticket = TicketFactory(team=technical, tier=tier1, category=categories["API & integrations"])
    with run_tasks():
        ticket_escalate(ticket=ticket, kind="functional", team=billing, actor=None, reason="Invoice API?")
    decision = RoutingDecision.objects.get(ticket=ticket)
    assert (
        decision.agent is None and "missing preferred skill: api" in decision.candidates[0]["excluded_reason"]
    )
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=16)):
        routing.recheck_waiting_tickets()
    ticket.refresh_from_db()
    assert ticket.assignee == billing_agent


def test_a_decliner_never_gets_the_ticket_back_from_their_own_freed_slot(billing, tier1, agent):
    other_waiting = TicketFactory(team=billing, tier=tier1)
    ticket = TicketFactory(team=billing, tier=tier1, assignee=agent, status=Status.OPEN)
    ticket_decline(ticket=ticket, agent=agent, reason="Conflict of interest.")
    with time_machine.travel(
        timezone.now() + dt.timedelta(minutes=5)
    ):  # both look like old, never-routed tickets
        # The offer for the freed slot may run before the ticket's own re-routing task (parallel workers).
        routing.offer_waiting_tickets(agent.pk)
    ticket.refresh_from_db()
    other_waiting.refresh_from_db()
    assert ticket.assignee is None
    assert other_waiting.assignee == agent  # the freed slot still goes to work they may take


def test_a_rule_raising_the_tier_of_a_placed_ticket_is_an_automatic_hierarchical_escalation(
    billing, tier1, tier2, agent, run_tasks
):
    senior = AgentFactory(tier=tier2, teams=[billing])
    ticket = TicketFactory(team=billing, tier=tier1, assignee=agent, status=Status.OPEN)
    routing.route([ticket.pk], "reopened").get(ticket.pk)  # placed, with its agent
    EscalationRule.objects.create(
        name="Reopened twice goes to tier 2",
        conditions={"field": "reopen_count", "op": "gte", "value": 2},
        actions=[{"type": "min_tier", "level": 2}],
    )
    ticket_resolve(ticket=ticket, actor=agent.user)
    ticket.reopen_count = 1
    ticket.save(update_fields=["reopen_count"])

    with run_tasks():
        ticket_reopen(ticket=ticket, actor=ticket.customer, reason="Still broken.")

    ticket.refresh_from_db()
    assert ticket.tier == tier2 and ticket.assignee == senior
    raised = TicketEvent.objects.get(ticket=ticket, code="escalation.hierarchical")
    assert raised.trigger == "rule" and "Reopened twice goes to tier 2" in raised.reason
