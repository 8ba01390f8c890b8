"""Relationship risk beats technical confidence: a trained model is sure a ticket is a password reset
with a published answer, yet a furious repeat customer, a key account near renewal, a likely churner or
someone talking about cancelling gets a person, and the routing decision says which guardrail held."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from escalation.models.autonomy import AutonomyDefaults
from helpdesk.models import AuthorKind, Autonomy, Segment
from tests.escalation.history import train_history
from tests.factories import AgentFactory, CustomerFactory, OrganizationFactory, SkillFactory, UserFactory

pytestmark = pytest.mark.django_db

CALM = ("Forgot my password", "Hello, I forgot my password and cannot sign in. Can you send a reset link?")
FURIOUS = (
    "Password reset AGAIN",
    "This is the fourth time this week I write about this. How do I reset my password?! "
    "Nobody cares and this is ridiculous!!",
)


@pytest.fixture
def trained(tier1):
    categories = train_history()
    AgentFactory(
        user=UserFactory(username="hana"),
        tier=tier1,
        teams=[categories["Password reset"].team],
        capacity=20,
        skills={SkillFactory(name="difficult-conversations"): 4},
    )
    return categories


def _automatic_replies(ticket):
    return ticket.messages.filter(author_kind=AuthorKind.SYSTEM, is_internal=False)


def test_a_calm_first_time_customer_gets_the_knowledge_base_answer(trained, submit):
    ticket = submit(*CALM)

    assert ticket.category.name == "Password reset" and ticket.confidence >= 0.85
    assert ticket.autonomy == Autonomy.AUTONOMOUS and _automatic_replies(ticket).count() == 1


def test_a_furious_customer_on_their_fifth_ticket_this_week_gets_a_human(trained, submit, customer, api):
    for days_ago in (6, 4, 3, 1):
        submit(
            "Password trouble", "I cannot sign in.", created_at=timezone.now() - dt.timedelta(days=days_ago)
        )

    ticket = submit(*FURIOUS)

    assert ticket.category.name == "Password reset"
    assert ticket.autonomy == Autonomy.HUMAN and not _automatic_replies(ticket).exists()
    assert ticket.assignee is not None and ticket.assignee.user.username == "hana"
    api.force_authenticate(UserFactory(username="integration", is_staff=True))
    decision = api.get(f"/api/tickets/{ticket.pk}/routing/").json()[0]
    assert "Relationship risk keeps automation out" in decision["explanation"]
    assert "5 tickets in 7 days" in decision["explanation"] and "frustration" in decision["explanation"]
    assert api.get(f"/api/tickets/{ticket.pk}/").json()["autonomy"] == "human"


def test_review_at_most_gives_a_draft_instead_of_an_answer(trained, submit):
    AutonomyDefaults.objects.update_or_create(pk=1, defaults={"guard_mode": Autonomy.REVIEW})
    org = OrganizationFactory(
        segment=Segment.ENTERPRISE, renewal_date=timezone.localdate() + dt.timedelta(days=20)
    )
    key_account = CustomerFactory(organization=org).user

    ticket = submit(*CALM, by=key_account)

    assert ticket.autonomy == Autonomy.REVIEW and not _automatic_replies(ticket).exists()
    assert "enterprise account renews in 20 days" in ticket.routing_decisions.first().explanation


@pytest.mark.parametrize(
    ("org", "text", "named"),
    [
        ({"churn_risk": 0.8}, CALM[1], "churn risk 80%"),
        ({"is_vip": True, "renewal_date_in": 30}, CALM[1], "VIP account renews in 30 days"),
        ({}, CALM[1] + " Otherwise we will cancel our subscription.", "cancellation intent"),
    ],
)
def test_each_guardrail_keeps_automation_out_and_is_named(trained, submit, org, text, named):
    days = org.pop("renewal_date_in", 200)
    organization = OrganizationFactory(renewal_date=timezone.localdate() + dt.timedelta(days=days), **org)
    ticket = submit(CALM[0], text, by=CustomerFactory(organization=organization).user)

    assert ticket.autonomy == Autonomy.HUMAN and not _automatic_replies(ticket).exists()
    assert named in ticket.routing_decisions.first().explanation


def test_an_admin_can_switch_a_guardrail_off(trained, submit):
    AutonomyDefaults.objects.update_or_create(pk=1, defaults={"guard_churn_risk": None})
    organization = OrganizationFactory(churn_risk=0.9)

    ticket = submit(*CALM, by=CustomerFactory(organization=organization).user)

    assert ticket.autonomy == Autonomy.AUTONOMOUS
