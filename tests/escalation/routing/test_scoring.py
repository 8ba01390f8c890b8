"""The priority score: each factor on its own, thresholds, the rule floor, and admin-edited weights."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from escalation.models import FactorKey, PriorityThreshold, ScoringFactor
from escalation.routing.scoring import (
    FactorSetting,
    priority_for,
    score_snapshot,
    score_ticket,
    validate_parameters,
)
from tests.escalation.snapshots import NOW, snap
from tests.factories import TicketFactory

THRESHOLDS = ((70.0, "urgent"), (45.0, "high"), (15.0, "normal"), (0.0, "low"))


def points(key: str, weight: float = 10.0, parameters: dict | None = None, **facts) -> float:
    score = score_snapshot(
        snap(**facts), factors=(FactorSetting(key, weight, parameters or {}),), thresholds=THRESHOLDS
    )
    return score.factors[0].contribution


@pytest.mark.parametrize(
    ("key", "facts", "expected"),
    [
        (FactorKey.SEGMENT, {"segment": "enterprise"}, 10.0),
        (FactorKey.SEGMENT, {"segment": "trial"}, 0.0),
        (FactorKey.SEGMENT, {}, 0.0),
        (FactorKey.CONTRACT_VALUE, {"contract_value": 250_000.0}, 10.0),
        (FactorKey.CONTRACT_VALUE, {"contract_value": 0.0}, 0.0),
        (FactorKey.RENEWAL, {"days_to_renewal": 0, "contract_value": 1000.0}, 10.0),
        (FactorKey.RENEWAL, {"days_to_renewal": 30, "contract_value": 1000.0}, 5.0),
        (FactorKey.RENEWAL, {"days_to_renewal": 200, "contract_value": 1000.0}, 0.0),
        (FactorKey.RENEWAL, {"days_to_renewal": 5, "contract_value": 0.0}, 0.0),  # nothing at stake
        (FactorKey.CHURN_RISK, {"churn_risk": 0.4}, 4.0),
        (FactorKey.VIP, {"is_vip": True}, 10.0),
        (FactorKey.VIP, {"is_vip": False}, 0.0),
        (FactorKey.FRUSTRATION, {"frustration": 0.7, "sentiment": -0.2}, 7.0),
        (FactorKey.FRUSTRATION, {"frustration": 0.1, "sentiment": -0.9}, 9.0),
        (FactorKey.FRUSTRATION, {}, 0.0),
        (FactorKey.SEVERITY, {"text": "production down since 9am"}, 10.0),
        (FactorKey.SEVERITY, {"text": "this is urgent please"}, 5.0),
        (FactorKey.SEVERITY, {"text": "a question about invoices"}, 0.0),
        (
            FactorKey.REPEAT_CONTACTS,
            {"recent_ticket_times": (NOW, NOW - dt.timedelta(days=1), NOW - dt.timedelta(days=3))},
            6.67,
        ),
        (FactorKey.REPEAT_CONTACTS, {"recent_ticket_times": (NOW, NOW - dt.timedelta(days=30))}, 0.0),
        (FactorKey.ESCALATION_RISK, {"escalation_probability": 0.5}, 5.0),
    ],
)
def test_each_factor_contributes_its_strength_times_its_weight(key, facts, expected):
    assert points(key, **facts) == pytest.approx(expected, abs=0.01)


def test_sla_pressure_rises_as_the_window_narrows():
    start = NOW - dt.timedelta(minutes=30)
    early = points(FactorKey.SLA_PRESSURE, sla_start=start, sla_due=NOW + dt.timedelta(minutes=90))
    late = points(FactorKey.SLA_PRESSURE, sla_start=start, sla_due=NOW + dt.timedelta(minutes=10))
    breached = points(FactorKey.SLA_PRESSURE, sla_start=start, sla_due=NOW - dt.timedelta(minutes=1))
    assert early == pytest.approx(2.5) and late == pytest.approx(7.5) and breached == 10.0


def test_factor_parameters_override_the_defaults():
    custom = {"values": {"trial": 1.0}}
    assert points(FactorKey.SEGMENT, parameters=custom, segment="trial") == 10.0
    assert (
        points(FactorKey.SEVERITY, parameters={"critical": ["on fire"]}, text="the server is on fire") == 10.0
    )


def test_levels_follow_the_score_by_thresholds():
    assert [priority_for(v, THRESHOLDS) for v in (5, 15, 44.9, 45, 70, 100)] == [
        "low",
        "normal",
        "normal",
        "high",
        "urgent",
        "urgent",
    ]


def test_a_rule_priority_floor_lifts_the_score_and_shows_as_a_factor():
    score = score_snapshot(snap(), factors=(), thresholds=THRESHOLDS, floor="urgent")
    assert (score.value, score.priority) == (70.0, "urgent")
    assert score.factors[-1].name == "rule_priority"


def test_score_is_capped_at_100():
    heavy = tuple(FactorSetting(FactorKey.VIP, 60.0, {}) for _ in range(2))
    assert score_snapshot(snap(is_vip=True), factors=heavy, thresholds=THRESHOLDS).value == 100.0


def test_bad_factor_parameters_are_refused():
    with pytest.raises(ValidationError, match="Unknown setting"):
        validate_parameters(FactorKey.SEGMENT, {"colour": "red"})
    with pytest.raises(ValidationError, match="must look like"):
        validate_parameters(FactorKey.SEVERITY, {"critical": "production down"})


@pytest.mark.django_db
def test_admin_edited_weights_and_thresholds_change_the_score(billing):
    ticket = TicketFactory(team=billing, body="Production down for all users")
    before = score_ticket(ticket)
    ScoringFactor.objects.filter(key=FactorKey.SEVERITY).update(weight=60)
    PriorityThreshold.objects.filter(priority="urgent").update(min_score=50)
    after = score_ticket(ticket)
    assert after.value > before.value and after.priority == "urgent"


@pytest.mark.django_db
def test_a_disabled_factor_counts_nothing(billing):
    ticket = TicketFactory(team=billing, body="Production down")
    ScoringFactor.objects.filter(key=FactorKey.SEVERITY).update(is_active=False)
    assert all(f.name != "severity" for f in score_ticket(ticket).factors)


def test_a_batch_reads_the_same_customer_history_as_one_ticket_does(db):
    """The SLA sweep reads the histories of a whole batch at once; scores must not change because of it."""
    import datetime as dt

    from django.utils import timezone

    from escalation.routing.snapshot import customer_histories, snapshot_for
    from helpdesk.models import Csat, Status
    from tests.factories import AgentFactory, CustomerFactory, TicketFactory

    now = timezone.now()
    customer = CustomerFactory().user
    other = CustomerFactory().user
    good, poor = AgentFactory(), AgentFactory()
    old = TicketFactory(customer=customer, created_at=now - dt.timedelta(days=200))  # outside the lookback
    served = TicketFactory(
        customer=customer, status=Status.RESOLVED, assignee=good, created_at=now - dt.timedelta(days=9)
    )
    Csat.objects.create(ticket=served, score=5)
    later = TicketFactory(
        customer=customer, status=Status.CLOSED, assignee=poor, created_at=now - dt.timedelta(days=3)
    )
    Csat.objects.create(ticket=later, score=2)
    TicketFactory(customer=other, created_at=now - dt.timedelta(days=1))
    tickets = [old, TicketFactory(customer=customer, created_at=now - dt.timedelta(hours=1)), served]

    histories = customer_histories(tickets, now)
    for ticket in tickets:
        alone = snapshot_for(ticket, now=now)
        batched = snapshot_for(ticket, now=now, history=histories[ticket.customer_id])
        assert sorted(batched.recent_ticket_times) == sorted(alone.recent_ticket_times)
        assert batched.last_good_agent_id == alone.last_good_agent_id
    assert (
        snapshot_for(tickets[1], now=now).last_good_agent_id is None
    )  # the latest served ticket was rated 2
    assert len(snapshot_for(old, now=now).recent_ticket_times) == 4  # the old ticket counts itself
