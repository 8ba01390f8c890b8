"""The health score from an account's facts: each warning sign takes its explained share of points."""

from __future__ import annotations

import datetime as dt

import pytest

from escalation.accounts.health import AccountFacts, health_of
from escalation.routing.scoring import FactorSetting, score_snapshot
from tests.escalation.snapshots import snap

QUIET = dict(today=dt.date(2026, 11, 1), window_days=30, baseline_days=90)


def factor(health, name):
    return next(f for f in health.factors if f.name == name)


def test_a_quiet_account_is_healthy():
    health = health_of(AccountFacts(**QUIET))
    assert health.score == 100.0
    assert health.reasons == []


def test_ticket_frequency_is_judged_against_the_accounts_own_baseline():
    busy_as_usual = health_of(AccountFacts(**QUIET, tickets_recent=9, tickets_before=27))
    spike = health_of(AccountFacts(**QUIET, tickets_recent=9, tickets_before=3))
    assert factor(busy_as_usual, "ticket_frequency").contribution == 0
    assert factor(spike, "ticket_frequency").contribution == -15.0
    assert "9 tickets in 30 days; usually 1.0" in factor(spike, "ticket_frequency").explanation


def test_a_couple_of_tickets_is_no_trend():
    health = health_of(AccountFacts(**QUIET, tickets_recent=2, tickets_before=0))
    assert factor(health, "ticket_frequency").contribution == 0


@pytest.mark.parametrize(
    ("recent", "before", "points"),
    [(-0.6, None, -20.0), (-0.3, None, -10.0), (0.2, 0.3, -2.0), (0.5, None, 0.0)],
)
def test_sentiment_weighs_by_negativity_or_by_its_fall(recent, before, points):
    health = health_of(
        AccountFacts(**QUIET, sentiment_recent=recent, sentiment_recent_n=4, sentiment_before=before)
    )
    assert factor(health, "sentiment_trend").contribution == pytest.approx(points)


def test_re_escalations_count_again():
    once = health_of(AccountFacts(**QUIET, escalations_recent=2))
    again = health_of(AccountFacts(**QUIET, escalations_recent=2, re_escalated_recent=1))
    assert factor(once, "escalations").contribution == -6.0
    assert factor(again, "escalations").contribution == -9.0


@pytest.mark.parametrize(
    ("trends", "points", "words"),
    [
        ({"data_volume": {"change": {"30": 3.0}}}, -10.0, "data volume grew 300% in 30 days"),
        ({"data_volume": {"change": {"30": 1.0}}}, -5.0, "data volume grew 100% in 30 days"),
        ({"active_users": {"change": {"30": -0.5}}}, -10.0, "active users fell 50% in 30 days"),
        ({"active_users": {"change": {"30": 0.2}}}, 0.0, "active users +20% in 30 days"),
    ],
)
def test_usage_falling_or_jumping_is_a_warning_sign(trends, points, words):
    usage = factor(health_of(AccountFacts(**QUIET, usage_trends=trends)), "usage_trend")
    assert usage.contribution == pytest.approx(points)
    assert usage.explanation == words


def test_contract_value_weighs_only_with_trouble():
    calm_big = health_of(AccountFacts(**QUIET, contract_value=250_000))
    troubled_big = health_of(
        AccountFacts(**QUIET, contract_value=250_000, sla_breaches_recent=3, escalations_recent=5)
    )
    assert factor(calm_big, "contract_value").contribution == 0
    assert factor(troubled_big, "contract_value").contribution < 0


def test_admin_churn_risk_is_one_input_not_the_answer():
    health = health_of(AccountFacts(**QUIET, churn_risk=0.9))
    assert health.score == 91.0


def test_renewal_proximity():
    assert factor(health_of(AccountFacts(**QUIET, days_to_renewal=45)), "renewal").contribution == -2.5
    assert factor(health_of(AccountFacts(**QUIET, days_to_renewal=200)), "renewal").contribution == 0


def test_the_priority_score_reads_the_stored_account_state():
    setting = (FactorSetting("account_at_risk", 10.0, {}),)
    thresholds = ((70.0, "urgent"), (0.0, "low"))
    at_risk = score_snapshot(
        snap(account_health=38.0, account_at_risk=True), factors=setting, thresholds=thresholds
    )
    healthy = score_snapshot(
        snap(account_health=90.0, account_at_risk=False), factors=setting, thresholds=thresholds
    )
    assert at_risk.value == 10.0 and at_risk.factors[0].detail == "account at risk (health 38/100)"
    assert healthy.value == 0.0


@pytest.mark.parametrize(
    ("trends", "points", "words"),
    [
        ({"data_volume": {"change": {"30": 3.0}}}, 5.0, "data volume +300% in 30 days"),
        (
            {"api_calls": {"change": {"30": 1.5}}, "data_volume": {"change": {"30": 0.3}}},
            2.5,
            "api calls +150% in 30 days",
        ),
        ({"data_volume": {"change": {"30": -0.5}}}, 0.0, "data volume -50% in 30 days"),
        ({}, 0.0, "no usage trend on record"),
    ],
)
def test_a_usage_surge_raises_the_priority_of_the_accounts_tickets(trends, points, words):
    setting = (FactorSetting("usage_surge", 5.0, {}),)
    score = score_snapshot(snap(usage_trends=trends), factors=setting, thresholds=((0.0, "low"),))
    assert score.factors[0].contribution == pytest.approx(points)
    assert score.factors[0].detail == words
