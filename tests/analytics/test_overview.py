"""Overview: every headline number and both tables, against a hand-made history of four tickets in
range and two just outside it."""

from __future__ import annotations

import datetime as dt

import pytest

from analytics.metrics.overview import overview_report
from helpdesk.models import Autonomy, Ticket
from tests.analytics.story import two_weeks


@pytest.fixture
def history(story, customer, agent, invoices, technical, tier1, tier2):
    """A: FR 1 h, resolved in 5 h, rated 5.  B: FR 2 h, escalated, resolved in 10 h, rated 2.
    C: FR 3 h, resolved in 20 h, SLA breached.  D (second week): FR 4 h, escalated, still open.
    Outside the range: one ticket the day before, one the day after."""
    a = story.ticket(customer, invoices, hours=0)
    story.assign(a, agent, 0.1)
    story.reply(a, agent, 1)
    story.resolve(a, 5)
    story.rate(a, 5, 6)
    b = story.ticket(customer, invoices, hours=2)
    story.assign(b, agent, 2.1)
    story.reply(b, agent, 4)
    story.escalate(b, 6)
    story.resolve(b, 12)
    story.rate(b, 2, 13)
    c = story.ticket(customer, invoices, hours=24)
    story.reply(c, agent, 27)
    story.resolve(c, 44)
    d = story.ticket(customer, invoices, hours=170)
    story.reply(d, agent, 174)
    story.escalate(d, 175, team=technical)
    story.ticket(customer, invoices, hours=-9.5)  # 2 March, 23:30
    story.ticket(customer, invoices, hours=14 * 24 - 9)  # 17 March, 00:00: the day after the range
    Ticket.objects.filter(pk=c.pk).update(sla_breached=True)
    for ticket, autonomy in ((a, Autonomy.AUTONOMOUS), (b, Autonomy.HUMAN), (c, Autonomy.REVIEW)):
        Ticket.objects.filter(pk=ticket.pk).update(autonomy=autonomy)
    return a, b, c, d


def stats(report):
    return {s.key: s.value for s in report.stats}


def test_overview_counts_only_tickets_created_in_the_range(history):
    numbers = stats(overview_report(two_weeks()))
    assert numbers["tickets"] == 4
    assert numbers["escalated"] == 2
    assert numbers["escalation_rate"] == 0.5  # 2 of 4 tickets, not 2 of the 3 resolved


def test_overview_times_are_medians_over_the_tickets_that_have_them(history):
    numbers = stats(overview_report(two_weeks()))
    assert numbers["median_first_response"] == 2.5  # 1, 2, 3, 4 hours
    assert numbers["resolved"] == 3
    assert numbers["median_resolution"] == 10.0  # 5, 10, 20 hours; the open ticket has none


def test_overview_breach_rate_and_csat_use_their_own_denominators(history):
    numbers = stats(overview_report(two_weeks()))
    assert numbers["sla_breach_rate"] == 0.25  # 1 of 4 tickets
    assert numbers["csat"] == 0.5  # one 5 of two ratings
    assert numbers["csat_average"] == 3.5


def test_weekly_trend_splits_tickets_by_creation_week(history):
    weekly = overview_report(two_weeks()).table("weekly").rows
    assert [(r["week"], r["tickets"], r["escalated"]) for r in weekly] == [
        (dt.date(2025, 3, 3), 3, 1),
        (dt.date(2025, 3, 10), 1, 1),
    ]
    assert weekly[0]["escalation_rate"] == pytest.approx(1 / 3)
    assert weekly[0]["sla_breach_rate"] == pytest.approx(1 / 3)


def test_handling_shares_are_of_resolved_tickets(history):
    rows = overview_report(two_weeks()).table("handling").rows
    assert [(r["autonomy"], r["tickets"]) for r in rows] == [("Autonomous", 1), ("Review", 1), ("Human", 1)]
    assert all(r["share"] == pytest.approx(1 / 3) for r in rows)


def test_an_empty_range_gives_no_rates_rather_than_zero(db):
    numbers = stats(overview_report(two_weeks()))
    assert numbers["tickets"] == 0
    assert numbers["escalation_rate"] is None and numbers["median_resolution"] is None
