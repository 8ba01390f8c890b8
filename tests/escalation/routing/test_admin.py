"""The routing policy is edited in Django admin; an invalid rule is refused with a clear message."""

from __future__ import annotations

import json

import pytest
from django.utils.html import escape

from escalation.models import ERR_COORDINATOR_NOT_LEAD, EscalationRule, RoutingConfig
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def rule_form(**fields) -> dict:
    base = {
        "name": "VIP refunds",
        "order": 5,
        "is_active": "on",
        "description": "",
        "conditions": json.dumps({"field": "is_vip", "op": "is", "value": True}),
        "actions": json.dumps([{"type": "route_to_team", "team": "Billing"}]),
    }
    return {**base, **fields}


def test_a_valid_rule_is_saved(admin_client, billing):
    response = admin_client.post("/admin/escalation/escalationrule/add/", rule_form())
    assert response.status_code == 302
    assert EscalationRule.objects.filter(name="VIP refunds").exists()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"conditions": json.dumps({"field": "vip", "op": "is", "value": True})},
            "unknown field &#x27;vip&#x27;",
        ),
        ({"conditions": "{not json"}, "Enter a valid JSON."),
        ({"actions": json.dumps([{"type": "route_to_team", "team": "Marketing"}])}, "There is no team named"),
        ({"actions": json.dumps([{"type": "explode"}])}, "each action needs a type"),
    ],
)
def test_an_invalid_rule_is_refused_with_a_clear_message(admin_client, billing, fields, message):
    response = admin_client.post("/admin/escalation/escalationrule/add/", rule_form(**fields))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not EscalationRule.objects.filter(name="VIP refunds").exists()


def test_a_rules_json_is_shown_indented_and_a_typo_is_kept_as_typed(admin_client, billing):
    admin_client.post("/admin/escalation/escalationrule/add/", rule_form())
    rule = EscalationRule.objects.get(name="VIP refunds")
    page = admin_client.get(f"/admin/escalation/escalationrule/{rule.pk}/change/").content.decode()
    # One key per line, indented (PostgreSQL's jsonb keeps its own key order, so no order is assumed).
    for line in ('"field": "is_vip"', '"op": "is"', '"value": true'):
        assert "\n  " + escape(line) in page

    typo = admin_client.post(
        f"/admin/escalation/escalationrule/{rule.pk}/change/", rule_form(conditions='{"field": "is_vip",')
    ).content.decode()
    assert "Enter a valid JSON." in typo and escape('{"field": "is_vip",') in typo


def test_policy_pages_list_and_describe_the_rules(admin_client):
    page = admin_client.get("/admin/escalation/escalationrule/")
    assert "text mentions any of" in page.content.decode()
    for path in ("scoringfactor", "prioritythreshold", "routingconfig", "routingdecision"):
        assert admin_client.get(f"/admin/escalation/{path}/").status_code == 200
    assert admin_client.get("/admin/escalation/routingconfig/1/change/").status_code == 200


def test_the_coordinator_must_be_able_to_work_every_team(admin_client, agent):
    config = RoutingConfig.load()
    data = {
        "hop_limit": 3,
        "coordinator": agent.pk,
        "skill_relax_minutes": 15,
        "overflow_minutes": 30,
        "skill_weight": 0.3,
        "load_weight": 0.55,
        "stickiness_weight": 0.15,
        "good_csat": 4,
        "urgent_score": 70,
        "urgent_load_factor": 0.25,
        "frustration_rise": 0.3,
    }
    response = admin_client.post(f"/admin/escalation/routingconfig/{config.pk}/change/", data)
    assert response.status_code == 200
    assert escape(ERR_COORDINATOR_NOT_LEAD) in response.content.decode()


def test_both_parts_of_a_rule_are_checked_at_once(admin_client, billing):
    form = rule_form(
        conditions=json.dumps({"field": "amount", "op": "contains_any", "value": ["500"]}),
        actions=json.dumps([{"type": "route_to_team", "team": "Marketing"}]),
    )
    page = admin_client.post("/admin/escalation/escalationrule/add/", form).content.decode()
    assert "amount cannot use &#x27;contains_any&#x27;" in page
    assert "There is no team named &#x27;Marketing&#x27;" in page
    assert "Actions are a list" in page  # the format reference is on the form
