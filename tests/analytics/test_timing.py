"""Timing: time to escalation, resolution around escalation, by tier and by weekday/hour."""

from __future__ import annotations

import pytest

from analytics.metrics.timing import slow_weekday, timing_report
from analytics.report import Column, Table
from tests.analytics.story import two_weeks


@pytest.fixture
def report(story, customer, invoices, tier1, tier2, tier3):
    """T1: escalated after 0.5 h (Mon 09:30) and 3 h (to L3), resolved at 10 h.
    T2: escalated after 2 h (Mon 12:00), resolved at 30 h (at L2).
    T3: escalated after 30 h (Tue 17:00), still open.  T4, T5: resolved in 2 h and 4 h at L1."""
    t1 = story.ticket(customer, invoices, hours=0)
    story.escalate(t1, 0.5)
    story.escalate(t1, 3)
    story.resolve(t1, 10)
    t2 = story.ticket(customer, invoices, hours=1)
    story.escalate(t2, 3)
    story.resolve(t2, 31)
    t3 = story.ticket(customer, invoices, hours=2)
    story.escalate(t3, 32)
    t4 = story.ticket(customer, invoices, hours=4)
    story.resolve(t4, 6)
    t5 = story.ticket(customer, invoices, hours=5)
    story.resolve(t5, 9)
    return timing_report(two_weeks())


def test_time_to_first_escalation_median_p90_and_histogram(report):
    numbers = {s.key: s.value for s in report.stats}
    assert numbers["escalated"] == 3
    assert numbers["median_time_to_escalation"] == 2.0  # 0.5, 2, 30 hours
    assert numbers["p90_time_to_escalation"] == 24.4  # 2 + 0.8 x (30 - 2)
    histogram = {r["bucket"]: r["tickets"] for r in report.table("time_to_escalation").rows}
    assert histogram == {
        "< 1 h": 1,
        "1-4 h": 1,
        "4-8 h": 0,
        "8-24 h": 0,
        "1-2 d": 1,
        "2-4 d": 0,
        "4-7 d": 0,
        "≥ 7 d": 0,
    }


def test_resolution_after_escalation_is_measured_from_the_first_escalation(report):
    rows = {
        r["group"]: (r["tickets"], r["median"], r["p90"])
        for r in report.table("resolution_after_escalation").rows
    }
    assert rows == {
        "All resolved tickets (from creation)": (4, 7.0, 24.0),  # 2, 4, 10, 30
        "Never escalated (from creation)": (2, 3.0, 3.8),  # 2, 4
        "Escalated (from creation)": (2, 20.0, 28.0),  # 10, 30
        "Escalated (from first escalation)": (2, 18.75, 26.15),  # 9.5, 28
    }


def test_resolution_by_tier_groups_by_the_tier_that_resolved_the_ticket(report):
    rows = [(r["tier"], r["tickets"], r["median"]) for r in report.table("resolution_by_tier").rows]
    assert rows == [("L1", 2, 3.0), ("L2", 1, 30.0), ("L3", 1, 10.0)]


def test_heatmap_cells_count_escalations_with_median_time_to_resolution(report):
    cells = {(r["weekday"], r["hour"]): (r["escalations"], r["median"]) for r in report.table("heatmap").rows}
    assert cells == {
        ("Monday", 9): (1, 9.5),
        ("Monday", 12): (2, 17.5),  # 7 h (T1) and 28 h (T2)
        ("Tuesday", 17): (1, None),  # T3 is not resolved yet
    }
    days = {r["weekday"]: (r["escalations"], r["median"]) for r in report.table("weekdays").rows}
    assert days == {"Monday": (3, 9.5), "Tuesday": (1, None)}


def test_slow_weekday_compares_the_slowest_day_with_the_median_of_the_others():
    columns = [Column("weekday", "Day"), Column("median", "Median", "hours")]
    rows = [{"weekday": d, "median": m} for d, m in (("Monday", 10.0), ("Tuesday", 12.0), ("Friday", 22.0))]
    assert slow_weekday(Table("weekdays", "", columns, rows)) == (
        "Friday escalations take 2.0× as long to resolve as a typical other day."
    )
    rows[2]["median"] = 12.5
    assert slow_weekday(Table("weekdays", "", columns, rows)) is None
