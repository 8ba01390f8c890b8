"""Outcomes: CSAT escalated vs not, before/after a customer's first escalation, reopens, at-risk orgs."""

from __future__ import annotations

import pytest

from analytics.metrics.outcomes import outcomes_report
from tests.analytics.story import two_weeks
from tests.factories import CustomerFactory, OrganizationFactory, UserFactory


@pytest.fixture
def report(story, invoices, tier1, tier2):
    """Carol (at-risk Orbit Ltd): a1 rated 5; a2 escalated, rated 2; a3 opened later, rated 4.
    Dan (Safe Inc): b1 rated 4 then reopened and resolved again; b2 resolved, unrated; b3 open.
    Eve (Safe Inc): c1 escalated, rated 3, then reopened."""
    orbit = OrganizationFactory(name="Orbit Ltd", churn_risk=0.7)
    safe = OrganizationFactory(name="Safe Inc", churn_risk=0.1)
    carol, dan, eve = (
        CustomerFactory(user=UserFactory(username=name), organization=org).user
        for name, org in (("carol", orbit), ("dan", safe), ("eve", safe))
    )
    a1 = story.ticket(carol, invoices, hours=0)
    story.resolve(a1, 1)
    story.rate(a1, 5, 2)
    a2 = story.ticket(carol, invoices, hours=10)
    story.escalate(a2, 11)
    story.resolve(a2, 12)
    story.rate(a2, 2, 13)
    a3 = story.ticket(carol, invoices, hours=20)
    story.resolve(a3, 21)
    story.rate(a3, 4, 22)
    b1 = story.ticket(dan, invoices, hours=0)
    story.resolve(b1, 1)
    story.rate(b1, 4, 2)
    story.reopen(b1, 3)
    story.resolve(b1, 4)
    b2 = story.ticket(dan, invoices, hours=5)
    story.resolve(b2, 6)
    story.ticket(dan, invoices, hours=7)
    c1 = story.ticket(eve, invoices, hours=3)
    story.escalate(c1, 4)
    story.resolve(c1, 5)
    story.rate(c1, 3, 6)
    story.reopen(c1, 7)
    return outcomes_report(two_weeks())


def test_csat_of_escalated_and_other_tickets(report):
    rows = {r["group"]: (r["rated"], r["csat"], r["average"]) for r in report.table("csat").rows}
    assert rows == {
        "Escalated": (2, 0.0, 2.5),  # 2 and 3
        "Not escalated": (3, 1.0, 4.3333),  # 5, 4, 4
        "All": (5, 0.6, 3.6),
    }


def test_csat_before_and_after_only_counts_customers_who_were_escalated(report):
    rows = {
        r["period"]: (r["rated"], r["csat"], r["average"]) for r in report.table("csat_before_after").rows
    }
    # Carol: a1 before; a2 and a3 after. Eve: c1 after. Dan was never escalated.
    assert rows == {
        "Before first escalation": (1, 1.0, 5.0),
        "From first escalation on": (3, pytest.approx(1 / 3), 3.0),
    }


def test_reopen_rate_is_of_tickets_resolved_at_least_once(report):
    rows = {r["group"]: (r["resolved"], r["reopened"], r["rate"]) for r in report.table("reopens").rows}
    # c1 is open again (no resolution time now) but was resolved once; b3 was never resolved.
    assert rows == {
        "Escalated": (2, 1, 0.5),
        "Not escalated": (4, 1, 0.25),
        "All": (6, 2, pytest.approx(1 / 3)),
    }


def test_at_risk_organizations_with_their_escalation_history(report):
    rows = report.table("at_risk").rows
    assert len(rows) == 1
    orbit = rows[0]
    assert (orbit["organization"], orbit["tickets"], orbit["escalated"], orbit["breached"]) == (
        "Orbit Ltd",
        3,
        1,
        0,
    )
    assert orbit["escalation_rate"] == pytest.approx(1 / 3)
    assert orbit["csat_average"] == 3.6667
    numbers = {s.key: s.value for s in report.stats}
    assert numbers["at_risk_escalation_rate"] == pytest.approx(1 / 3)
    assert numbers["other_escalation_rate"] == 0.25  # c1 of Dan's three and Eve's one
