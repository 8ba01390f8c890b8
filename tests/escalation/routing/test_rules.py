"""Escalation rules: every condition field and action type, validation messages, and plain-word descriptions."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from escalation.models import EscalationRule
from escalation.routing.rules import (
    ERR_ACTIONS_LIST,
    CompiledRule,
    apply_rules,
    describe_actions,
    describe_conditions,
    validate_references,
    validate_rule,
)
from tests.escalation.snapshots import NOW, snap

ROUTE = [{"type": "route_to_team", "team": "Billing"}]


def fires(conditions: dict, **facts) -> bool:
    rule = CompiledRule.build("r", conditions, ROUTE)
    return apply_rules([rule], snap(**facts)).fired == ["r"]


@pytest.mark.parametrize(
    ("conditions", "facts", "expected"),
    [
        (
            {"field": "text", "op": "contains_any", "value": ["data breach"]},
            {"text": "we fear a data breach"},
            True,
        ),
        ({"field": "text", "op": "contains_any", "value": ["access"]}, {"text": "accessed yesterday"}, False),
        (
            {"field": "text", "op": "contains_all", "value": ["refund", "trial"]},
            {"text": "refund my trial"},
            True,
        ),
        (
            {"field": "text", "op": "contains_all", "value": ["refund", "trial"]},
            {"text": "refund please"},
            False,
        ),
        (
            {"field": "text", "op": "matches", "value": r"past the \d+ days"},
            {"text": "it is past the 14 days"},
            True,
        ),
        ({"field": "category", "op": "in", "value": ["Cancellation"]}, {"category": "Cancellation"}, True),
        (
            {"field": "category", "op": "not_in", "value": ["Cancellation"]},
            {"category": "Refund request"},
            True,
        ),
        ({"field": "category", "op": "in", "value": ["Cancellation"]}, {}, False),
        ({"field": "team", "op": "in", "value": ["billing"]}, {"team": "Billing"}, True),
        ({"field": "channel", "op": "in", "value": ["email", "phone"]}, {"channel": "phone"}, True),
        ({"field": "priority", "op": "at_least", "value": "high"}, {"priority": "urgent"}, True),
        ({"field": "priority", "op": "at_least", "value": "high"}, {"priority": "normal"}, False),
        ({"field": "segment", "op": "in", "value": ["enterprise"]}, {"segment": "enterprise"}, True),
        ({"field": "is_vip", "op": "is", "value": True}, {"is_vip": True}, True),
        ({"field": "is_vip", "op": "is", "value": False}, {}, False),  # unknown never matches
        ({"field": "contract_value", "op": "gte", "value": 50000}, {"contract_value": 80000.0}, True),
        ({"field": "days_to_renewal", "op": "between", "value": [0, 30]}, {"days_to_renewal": 21}, True),
        ({"field": "days_to_renewal", "op": "between", "value": [0, 30]}, {"days_to_renewal": None}, False),
        ({"field": "churn_risk", "op": "gte", "value": 0.5}, {"churn_risk": 0.7}, True),
        ({"field": "sentiment", "op": "lte", "value": -0.5}, {"sentiment": -0.8}, True),
        ({"field": "frustration", "op": "gte", "value": 0.8}, {"frustration": 0.5}, False),
        (
            {"field": "escalation_probability", "op": "gte", "value": 0.8},
            {"escalation_probability": 0.9},
            True,
        ),
        ({"field": "amount", "op": "gte", "value": 500}, {"text": "a disputed charge of $1,250.00"}, True),
        ({"field": "amount", "op": "gte", "value": 500}, {"text": "a disputed charge of $499"}, False),
        ({"field": "amount", "op": "gte", "value": 500}, {"text": "invoice 12345"}, False),
        ({"field": "reopen_count", "op": "gte", "value": 2}, {"reopen_count": 2}, True),
        ({"field": "escalation_count", "op": "gte", "value": 1}, {"escalation_count": 0}, False),
    ],
)
def test_each_condition_field_matches_as_documented(conditions, facts, expected):
    assert fires(conditions, **facts) is expected


def test_repeat_contacts_count_tickets_in_the_window():
    times = (NOW, NOW - dt.timedelta(days=2), NOW - dt.timedelta(days=6), NOW - dt.timedelta(days=40))
    condition = {"field": "recent_tickets", "op": "gte", "value": 3, "days": 7}
    assert fires(condition, recent_ticket_times=times)
    assert not fires({**condition, "days": 3}, recent_ticket_times=times)


def test_groups_combine_conditions():
    tree = {
        "all": [
            {
                "any": [
                    {"field": "text", "op": "contains_any", "value": ["cancel"]},
                    {"field": "is_vip", "op": "is", "value": True},
                ]
            },
            {"not": {"field": "segment", "op": "in", "value": ["trial"]}},
        ]
    }
    assert fires(tree, text="we will cancel", segment="premium")
    assert not fires(tree, text="we will cancel", segment="trial")
    assert not fires(tree, text="hello", segment="premium")


def test_actions_merge_first_team_highest_tier_and_priority():
    first = CompiledRule.build(
        "a",
        {"field": "text", "op": "contains_any", "value": ["x"]},
        [
            {"type": "route_to_team", "team": "Security"},
            {"type": "min_tier", "level": 2},
            {"type": "set_priority", "priority": "high"},
            {"type": "add_skill", "skill": "security"},
            {"type": "notify", "to": "leads", "message": "look"},
        ],
    )
    second = CompiledRule.build(
        "b",
        {"field": "text", "op": "contains_any", "value": ["x"]},
        [
            {"type": "route_to_team", "team": "Billing"},
            {"type": "min_tier", "level": 3},
            {"type": "set_priority", "priority": "urgent"},
            {"type": "require_human"},
            {"type": "add_skill", "skill": "payments", "required": False},
        ],
    )
    outcome = apply_rules([first, second], snap(text="x"))
    assert outcome.fired == ["a", "b"]
    assert (outcome.team, outcome.team_rule) == ("Security", "a")
    assert (outcome.min_tier, outcome.priority, outcome.human) == (3, "urgent", True)
    assert (outcome.required_skills, outcome.optional_skills) == (["security"], ["payments"])
    assert outcome.notifications == [("a", "leads", "look")]


def test_stop_processing_skips_later_rules():
    stop = CompiledRule.build(
        "stop", {"field": "text", "op": "contains_any", "value": ["x"]}, ROUTE, stop_processing=True
    )
    later = CompiledRule.build("later", {"field": "text", "op": "contains_any", "value": ["x"]}, ROUTE)
    assert apply_rules([stop, later], snap(text="x")).fired == ["stop"]


@pytest.mark.parametrize(
    ("conditions", "actions", "field", "message"),
    [
        ("text contains refund", ROUTE, "conditions", "must be an object"),
        ({"field": "txt", "op": "contains_any", "value": ["a"]}, ROUTE, "conditions", "unknown field 'txt'"),
        (
            {"field": "amount", "op": "contains_any", "value": ["a"]},
            ROUTE,
            "conditions",
            "amount cannot use 'contains_any'",
        ),
        ({"field": "amount", "op": "gte", "value": "500"}, ROUTE, "conditions", "compares with numbers"),
        (
            {"field": "text", "op": "matches", "value": "(unclosed"},
            ROUTE,
            "conditions",
            "not a valid regular expression",
        ),
        ({"field": "text", "op": "contains_any", "value": []}, ROUTE, "conditions", "non-empty list"),
        ({"field": "segment", "op": "in", "value": ["gold"]}, ROUTE, "conditions", "unknown segment"),
        ({"field": "recent_tickets", "op": "gte", "value": 3}, ROUTE, "conditions", '"days"'),
        ({"all": []}, ROUTE, "conditions", "non-empty list of conditions"),
        (
            {"all": [{"field": "text", "op": "eval", "value": "__import__('os')"}]},
            ROUTE,
            "conditions",
            "conditions → all[0]",
        ),
        ({"field": "is_vip", "op": "is", "value": True}, [], "actions", ERR_ACTIONS_LIST),
        (
            {"field": "is_vip", "op": "is", "value": True},
            [{"type": "delete_ticket"}],
            "actions",
            "each action needs a type",
        ),
        (
            {"field": "is_vip", "op": "is", "value": True},
            [{"type": "set_priority", "priority": "asap"}],
            "actions",
            "priority must be one of",
        ),
        (
            {"field": "is_vip", "op": "is", "value": True},
            [{"type": "route_to_team"}],
            "actions",
            "route_to_team takes team",
        ),
        (
            {"field": "is_vip", "op": "is", "value": True},
            [{"type": "notify", "to": "everyone"}],
            "actions",
            "notify to must be one of",
        ),
    ],
)
def test_invalid_rules_are_refused_with_a_message_saying_where(conditions, actions, field, message):
    with pytest.raises(ValidationError) as refused:
        validate_rule(conditions, actions)
    assert message in " ".join(refused.value.message_dict[field])


@pytest.mark.django_db
def test_saving_an_invalid_rule_in_code_is_refused_too():
    with pytest.raises(ValidationError):
        EscalationRule.objects.create(name="bad", conditions={"field": "nope"}, actions=ROUTE)


@pytest.mark.django_db
def test_references_to_unknown_teams_skills_and_categories_are_refused(billing):
    validate_references({"field": "team", "op": "in", "value": ["Billing"]}, ROUTE)
    with pytest.raises(ValidationError) as refused:
        validate_references(
            {"field": "category", "op": "in", "value": ["Nope"]},
            [{"type": "route_to_team", "team": "Marketing"}, {"type": "add_skill", "skill": "juggling"}],
        )
    assert refused.value.message_dict == {
        "conditions": ["There is no category named 'Nope': create it first or fix the name."],
        "actions": [
            "There is no team named 'Marketing': create it first or fix the name.",
            "There is no skill named 'juggling': create it first or fix the name.",
        ],
    }


def test_rules_read_in_plain_words():
    tree = {
        "all": [
            {"field": "text", "op": "contains_any", "value": ["dispute"]},
            {"field": "amount", "op": "gte", "value": 500},
            {"field": "recent_tickets", "op": "gte", "value": 3, "days": 7},
        ]
    }
    assert describe_conditions(tree) == (
        "(text mentions any of 'dispute' AND amount mentioned ≥ 500 AND tickets from this customer in 7 days ≥ 3)"
    )
    assert describe_actions([{"type": "route_to_team", "team": "Billing"}, {"type": "require_human"}]) == (
        "route to Billing; a human must handle it"
    )


@pytest.mark.django_db
def test_default_rules_are_installed_and_valid():
    names = list(EscalationRule.objects.values_list("name", flat=True))
    assert (
        "Billing dispute over $500" in names and "Security incident: unauthorized access or breach" in names
    )
    for rule in EscalationRule.objects.all():
        validate_rule(rule.conditions, rule.actions)


@pytest.mark.django_db
def test_default_security_rule_ignores_it_tickets_about_suspicious_emails():
    from escalation.routing.policy import current_policy

    it_ticket = snap(text="suspicious received hi please take attached suspicious thanks", team="Hardware")
    assert apply_rules(current_policy().rules, it_ticket).fired == []
    demo_ticket = snap(text="possible unauthorized access to an admin account", days_to_renewal=200)
    assert apply_rules(current_policy().rules, demo_ticket).team == "Security"
