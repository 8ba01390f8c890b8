"""A week of tickets created and routed the way customers create them, one of them escalated, and a
draft policy that sends refunds to Billing's tier 2."""

from __future__ import annotations

import pytest
from django.utils import timezone

from escalation.models import DraftPolicy
from helpdesk.services import ticket_escalate
from tests.factories import AgentFactory

REFUNDS_TO_BILLING_L2 = {
    "name": "Refunds to Billing tier 2",
    "conditions": {"field": "text", "op": "contains_any", "value": ["refund"]},
    "actions": [{"type": "route_to_team", "team": "Billing"}, {"type": "min_tier", "level": 2}],
}


@pytest.fixture
def week(submit, categories, tier1, tier2, billing, technical, product, django_capture_on_commit_callbacks):
    """Four routed tickets; the refund request was escalated to tier 2 in reality."""
    for team in (billing, technical, product):
        for tier in (tier1, tier2):
            AgentFactory(tier=tier, teams=[team], capacity=20)
    refund = submit("Refund please", "I want my money back, please refund the last invoice.")
    with django_capture_on_commit_callbacks(execute=True):
        ticket_escalate(ticket=refund, kind="hierarchical", actor=None, reason="Needs approval.")
    others = [
        submit("Webhook fails", "Our webhook to the API returns 500 since this morning."),
        submit("App crash", "The app crashes with a bug when I open the dashboard."),
        submit("Charged twice", "I was charged twice for March, I dispute that."),
    ]
    return refund, *others


@pytest.fixture
def draft(billing):
    return DraftPolicy.objects.create(
        name="DRAFT", rules=[REFUNDS_TO_BILLING_L2], factor_weights={"frustration": 0}
    )


def today():
    return timezone.localdate()
