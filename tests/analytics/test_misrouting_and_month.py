"""Misrouted escalations per receiving team, and day-of-month patterns with a tested month-end claim."""

from __future__ import annotations

import datetime as dt

import pytest

from analytics.filters import Filters
from analytics.metrics.paths import paths_report
from analytics.metrics.timing import timing_report
from helpdesk.models import Ticket
from tests.analytics.story import Story, two_weeks
from tests.factories import CategoryFactory


@pytest.fixture
def product(db):
    from tests.factories import TeamFactory

    return TeamFactory(name="Product")


def test_escalations_to_a_team_that_end_elsewhere_or_belong_to_another_team_count_as_misrouted(
    story, customer, invoices, billing, product, technical, tier1, tier2
):
    bug = CategoryFactory(name="Bug report", team=product)
    # Three invoice questions escalated to Product; two bug reports filed with Billing escalated to Product,
    # one of which Product sent on to Technical: 4 of Product's 5 escalations were misrouted.
    for hour in (1, 2, 3):
        story.escalate(story.ticket(customer, invoices, hours=hour), hour + 0.5, team=product)
    bug_report = story.ticket(customer, bug, hours=4)
    Ticket.objects.filter(pk=bug_report.pk).update(team=billing)  # first filed with Billing
    story.escalate(Ticket.objects.get(pk=bug_report.pk), 4.5, team=product)
    moved_on = story.ticket(customer, bug, hours=5)
    Ticket.objects.filter(pk=moved_on.pk).update(team=billing)
    story.escalate(Ticket.objects.get(pk=moved_on.pk), 5.5, team=product)
    story.escalate(Ticket.objects.get(pk=moved_on.pk), 6, team=technical)

    report = paths_report(two_weeks())
    row = next(r for r in report.table("misrouting").rows if r["team"] == "Product")
    assert (row["escalations"], row["misrouted"]) == (5, 4)
    assert (row["top_category"], row["top_share"]) == ("Invoices", 0.6)
    examples = report.table("misrouting_examples").rows
    assert len([e for e in examples if e["sent_to"] == "Product"]) == 4
    # The bug report Technical received belongs to Product: misrouted there as well.
    assert [e["ended"] for e in examples if e["sent_to"] == "Technical"] == ["Technical"]


def test_month_end_claims_need_a_significant_difference(customer, invoices, tier1, tier2):
    story = Story(start=dt.datetime(2025, 1, 1, 9, 0, tzinfo=dt.UTC))
    # January: days 29-31 escalate 20 of 30 tickets; days 1-10 escalate 3 of 30.
    for day in range(30):
        hours = (28 + day % 3) * 24 + day * 0.1
        ticket = story.ticket(customer, invoices, hours=hours)
        if day < 20:
            story.escalate(ticket, hours + 0.05)
    for day in range(30):
        hours = (day % 10) * 24 + day * 0.1
        ticket = story.ticket(customer, invoices, hours=hours)
        if day < 3:
            story.escalate(ticket, hours + 0.05)
    report = timing_report(Filters(since=dt.date(2025, 1, 1), until=dt.date(2025, 1, 31)))
    rows = {r["day"]: r for r in report.table("day_of_month").rows}
    assert rows[29]["tickets"] == 10
    assert any(
        line.startswith("At month end (last 3 days) 67% of tickets escalate vs 10%")
        for line in report.highlights
    )


def test_no_month_end_claim_on_few_tickets(customer, invoices, tier1, tier2):
    story = Story(start=dt.datetime(2025, 1, 1, 9, 0, tzinfo=dt.UTC))
    for hours in (29 * 24, 30 * 24):
        story.escalate(story.ticket(customer, invoices, hours=hours), hours + 0.1)
    story.ticket(customer, invoices, hours=24)
    report = timing_report(Filters(since=dt.date(2025, 1, 1), until=dt.date(2025, 1, 31)))
    assert not any("month end" in line for line in report.highlights)
