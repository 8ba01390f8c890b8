"""Every default escalation rule fires on a brand-new ticket, created the way customers create them:
rules read the text, the category and the team triage is about to give the ticket."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from escalation.models import RoutingConfig
from escalation.routing.defaults import DEFAULT_RULES
from helpdesk.models import Autonomy, Notification, Priority, Role
from tests.escalation.history import train_history
from tests.factories import AgentFactory, CustomerFactory, OrganizationFactory, TierFactory, UserFactory

pytestmark = pytest.mark.django_db

RULES = {rule["name"] for rule in DEFAULT_RULES}


@pytest.fixture
def staffed(categories, skills, tier1, tier2, billing, technical, security, product):
    """Somebody in every team at tiers 1 and 2, with every skill the rules ask for; a lead for Billing."""
    every_skill = {skill: 4 for skill in skills.values()}
    for team in (billing, technical, security, product):
        for tier in (tier1, tier2):
            AgentFactory(tier=tier, teams=[team], skills=every_skill, capacity=20)
    lead = AgentFactory(
        user=UserFactory(username="lee"), tier=tier2, role=Role.LEAD, teams=[billing, security]
    )
    billing.lead = security.lead = lead
    billing.save()
    security.save()
    return lead


def _fired(ticket):
    return ticket.routing_decisions.first().rules_fired


def test_security_incident(staffed, submit, security):
    ticket = submit("Suspicious login", "We saw a suspicious login and think there was unauthorized access.")
    assert "Security incident: unauthorized access or breach" in _fired(ticket)
    assert ticket.team == security and ticket.priority == Priority.URGENT
    assert Notification.objects.filter(recipient=staffed.user, kind="rule", ticket=ticket).exists()


def test_billing_dispute_over_500(staffed, submit, billing):
    ticket = submit("Wrong charge", "We dispute the charge of $750 on invoice 1043, we never ordered it.")
    assert "Billing dispute over $500" in _fired(ticket)
    assert ticket.team == billing and ticket.requires_human and ticket.autonomy == Autonomy.HUMAN


def test_refund_outside_policy(staffed, submit, billing):
    ticket = submit("Refund", "I would like a refund although it is more than 30 days past the purchase.")
    assert "Refund outside policy" in _fired(ticket)
    assert ticket.team == billing and ticket.requires_human


def test_confirmed_bug_needs_a_code_change_moves_a_technical_ticket_to_product(staffed, submit, product):
    ticket = submit(
        "Webhook sends wrong totals",
        "The API webhook sends wrong totals; your support confirmed it needs a code fix.",
    )
    assert "Confirmed bug needs a code change" in _fired(ticket)
    assert ticket.team == product
    assert ticket.events.filter(code="ticket.team_changed", to_team=product, trigger="routing").exists()


def test_cancellation_intent_near_renewal(staffed, submit, billing):
    organization = OrganizationFactory(renewal_date=timezone.localdate() + dt.timedelta(days=30))
    customer = CustomerFactory(organization=organization).user
    ticket = submit(
        "Invoice", "We were overcharged again on the invoice. We consider to cancel.", by=customer
    )
    assert "Cancellation intent near renewal" in _fired(ticket)
    assert ticket.team == billing and ticket.tier.level == 2
    assert Notification.objects.filter(recipient=staffed.user, kind="rule", ticket=ticket).exists()


def test_furious_customer(staffed, submit):
    ticket = submit(
        "Still not fixed",
        "This is the third time I write!!! Nobody cares, it is unacceptable. Still not fixed.",
    )
    assert "Furious customer" in _fired(ticket)
    assert ticket.frustration >= 0.8 and ticket.priority in (Priority.HIGH, Priority.URGENT)


def test_likely_escalation_goes_straight_to_tier_2(tier1, submit):
    RoutingConfig.objects.update(predictive_escalation=1.0)  # the rule alone, not the model's tier move
    categories = train_history(escalating="Technical")
    technical = categories["API & integrations"].team
    AgentFactory(tier=tier1, teams=[technical])
    AgentFactory(tier=TierFactory(level=2), teams=[technical])

    ticket = submit("api timeout", "api timeout on the webhook endpoint, stack trace attached")

    assert ticket.escalation_probability >= 0.8
    assert "Likely escalation goes straight to tier 2" in _fired(ticket)
    assert ticket.tier.level == 2


def test_every_default_rule_has_a_scenario_here():
    tested = {
        "Security incident: unauthorized access or breach",
        "Billing dispute over $500",
        "Refund outside policy",
        "Confirmed bug needs a code change",
        "Cancellation intent near renewal",
        "Likely escalation goes straight to tier 2",
        "Furious customer",
    }
    assert tested == RULES
