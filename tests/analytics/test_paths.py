"""Paths, re-escalation, ping-pong and abandoned tickets on the six-ticket history in conftest."""

from __future__ import annotations

import pytest

from analytics.metrics.paths import paths_report
from tests.analytics.story import two_weeks


@pytest.fixture
def report(escalation_history):
    return paths_report(two_weeks())


def test_paths_count_escalations_and_the_ones_escalated_again(report):
    rows = {
        r["path"]: (r["escalations"], r["tickets"], r["re_escalated"]) for r in report.table("paths").rows
    }
    assert rows == {
        "Billing L1 → Technical L1": (2, 2, 1),  # T2 went on (back to Billing); T1 did not
        "Billing L1 → Billing L2": (1, 1, 1),  # T3 then went to L3
        "Billing L2 → Billing L3": (1, 1, 0),
        "Technical L1 → Billing L1": (1, 1, 0),
        "Technical L1 → Technical L2": (1, 1, 0),
    }
    assert report.table("paths").rows[0]["re_escalation_rate"] == 0.5
    numbers = {s.key: s.value for s in report.stats}
    assert numbers["escalations"] == 6
    assert numbers["re_escalation_rate"] == pytest.approx(2 / 6)


def test_ping_pong_is_a_team_change_back_to_a_team_the_ticket_left(report):
    # T3's two moves inside Billing (L1 -> L2 -> L3) are not a bounce.
    assert [(r["bounce"], r["occurrences"]) for r in report.table("ping_pong").rows] == [
        ("Technical → Billing", 1)
    ]
    recent = report.table("ping_pong_recent").rows
    assert len(recent) == 1 and recent[0]["bounce"] == "Technical → Billing"
    numbers = {s.key: s.value for s in report.stats}
    assert numbers["ping_pong_tickets"] == 1
    assert numbers["ping_pong_rate"] == 0.25  # of the four escalated tickets
    assert numbers["circular_blocked"] == 1


def test_abandoned_tickets_count_once_per_ticket_against_the_tickets_in_each_group(report):
    by_team = {r["name"]: (r["tickets"], r["abandoned"]) for r in report.table("abandoned_by_team").rows}
    assert by_team == {"Billing": (3, 1), "Technical": (3, 1)}  # T4 was flagged twice
    by_category = {
        r["name"]: (r["tickets"], r["abandoned"], r["rate"])
        for r in report.table("abandoned_by_category").rows
    }
    assert by_category == {"API": (2, 1, 0.5), "Invoices": (4, 1, 0.25)}
