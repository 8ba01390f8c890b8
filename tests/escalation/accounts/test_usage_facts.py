"""Usage trends as facts the router reads: rule conditions, and the hand-off packet."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from escalation.accounts.services import usage_record
from escalation.routing.handoff import handoff_for
from escalation.routing.rules import CompiledRule, apply_rules, describe_conditions, validate_rule
from helpdesk.models import Status
from helpdesk.services import ticket_escalate
from tests.escalation.snapshots import snap
from tests.factories import OrganizationFactory, TicketFactory

ROUTE = [{"type": "route_to_team", "team": "Technical"}]
GREW_200 = {"field": "usage_change", "measure": "data_volume", "days": 30, "op": "gte", "value": 200}


def fires(conditions: dict, **facts) -> bool:
    rule = CompiledRule.build("r", conditions, ROUTE)
    return apply_rules([rule], snap(**facts)).fired == ["r"]


@pytest.mark.parametrize(
    ("trends", "expected"),
    [
        ({"data_volume": {"change": {"30": 3.0}}}, True),
        ({"data_volume": {"change": {"30": 2.0}}}, True),
        ({"data_volume": {"change": {"30": 1.5}}}, False),
        ({"data_volume": {"change": {"7": 3.0}}}, False),  # another window: unknown for 30 days
        ({"active_users": {"change": {"30": 3.0}}}, False),
        ({}, False),
    ],
)
def test_a_rule_can_test_a_usage_jump(trends, expected):
    assert fires(GREW_200, usage_trends=trends) is expected


def test_usage_conditions_read_in_plain_words_and_are_validated():
    assert describe_conditions(GREW_200) == "data volume change % in 30 days ≥ 200"
    with pytest.raises(ValidationError, match="measure"):
        validate_rule({**GREW_200, "measure": "vibes"}, ROUTE)
    with pytest.raises(ValidationError, match="days"):
        validate_rule({**GREW_200, "days": 45}, ROUTE)


def test_a_rule_can_test_account_health():
    low = {"field": "account_health", "op": "lte", "value": 50}
    assert fires(low, account_health=38.0)
    assert not fires(low, account_health=80.0)
    assert not fires(low)  # never computed: unknown never matches


@pytest.mark.django_db
def test_the_handoff_shows_usage_trends_next_to_the_account(billing, tier1, tier2, agent, customer):
    org = OrganizationFactory(name="Acme")
    today = timezone.localdate()
    usage_record(
        organization=org,
        records=[
            {"date": today - dt.timedelta(days=30), "measure": "data_volume", "value": 100},
            {"date": today, "measure": "data_volume", "value": 400},
        ],
    )
    ticket = TicketFactory(
        team=billing, tier=tier1, assignee=agent, status=Status.OPEN, customer=customer, organization=org
    )
    ticket_escalate(ticket=ticket, kind="hierarchical", actor=agent.user, reason="Slow since the import.")
    facts = dict(handoff_for(ticket).account)
    assert facts["Data volume"] == f"400 on {today.isoformat()} (+300% in 30 days)"
