"""Over-escalation: higher tiers that resolve about as fast as tier 1, and categories resolved right
after being escalated."""

from __future__ import annotations

import pytest

from analytics.metrics.overescalation import overescalation_report
from tests.analytics.story import two_weeks
from tests.factories import CategoryFactory


@pytest.fixture
def report(story, customer, invoices, billing, technical, tier1, tier2, tier3):
    """L1: two Invoices tickets resolved in 4 h and 8 h; five Passwords tickets sent to Technical (same
    tier) after 3 h and resolved an hour later. L2: five Invoices tickets escalated after 1 h and
    resolved 3, 4, 4.5, 6 and 7 h later. L3: one ticket, resolved 28 h after reaching L3."""
    passwords = CategoryFactory(name="Passwords", team=billing)
    for hours, duration in ((0, 4), (1, 8)):
        story.resolve(story.ticket(customer, invoices, hours=hours), hours + duration)
    for i in range(5):
        ticket = story.ticket(customer, passwords, hours=10 + i)
        story.escalate(ticket, 13 + i, team=technical)
        story.resolve(ticket, 14 + i)
    for i, at_tier in enumerate((3, 4, 4.5, 6, 7)):
        ticket = story.ticket(customer, invoices, hours=20 + i)
        story.escalate(ticket, 21 + i)
        story.resolve(ticket, 21 + i + at_tier)
    ticket = story.ticket(customer, invoices, hours=40)
    story.escalate(ticket, 41)
    story.escalate(ticket, 42)
    story.resolve(ticket, 70)
    return overescalation_report(two_weeks())


def test_each_tier_is_timed_from_when_the_ticket_reached_it(report):
    rows = {r["tier"]: r for r in report.table("tiers").rows}
    assert {t: (r["tickets"], r["median_at_tier"], r["median_overall"]) for t, r in rows.items()} == {
        "L1": (7, 4.0, 4.0),  # 4, 4, 4, 4, 4, 4, 8
        "L2": (5, 4.5, 5.5),
        "L3": (1, 28.0, 30.0),
    }
    assert (rows["L2"]["ratio_to_tier1"], rows["L2"]["barely_differs"]) == (1.125, "yes")
    assert (rows["L3"]["ratio_to_tier1"], rows["L3"]["barely_differs"]) == (7.0, "")


def test_categories_resolved_soon_after_escalation_are_flagged(report):
    rows = {r["category"]: r for r in report.table("categories").rows}
    passwords, invoices = rows["Passwords"], rows["Invoices"]
    assert (passwords["escalated"], passwords["quick"], passwords["quick_share"]) == (5, 5, 1.0)
    assert (passwords["median_after"], passwords["median_not_escalated"], passwords["over_escalated"]) == (
        1.0,
        None,
        "yes",
    )
    assert (invoices["escalated"], invoices["quick"], invoices["quick_share"]) == (6, 0, 0.0)
    assert (invoices["median_after"], invoices["median_not_escalated"]) == (
        5.25,
        6.0,
    )  # from the last escalation
    assert [s.value for s in report.stats] == [1, 1]
    assert len(report.highlights) == 2
