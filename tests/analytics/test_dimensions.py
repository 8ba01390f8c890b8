"""Escalation rate by dimension, on the six-ticket history in conftest (hand-computed values)."""

from __future__ import annotations

import pytest

from analytics.facts.cohort import Cohort
from analytics.metrics.dimensions import dimension_rows, dimensions_report, totals
from tests.analytics.story import two_weeks


def by(rows):
    return {r["label"]: (r["tickets"], r["escalated"], r["escalations"]) for r in rows}


def test_team_rate_divides_tickets_escalated_away_by_tickets_the_team_handled(escalation_history):
    rows = dimension_rows(Cohort.of(two_weeks()), "team")
    # Billing handled T1-T4 (T1 left for good) and escalated T1, T2, T3 (T3 twice, up the tiers).
    # Technical handled T1, T2 (sent back), T5, T6 and escalated T2 (back) and T6 (to L2).
    assert by(rows) == {"Billing": (4, 3, 4), "Technical": (4, 2, 2)}
    assert [r["escalation_rate"] for r in rows] == [0.75, 0.5]


def test_tier_rate_counts_tickets_that_moved_on_from_each_tier(escalation_history):
    rows = dimension_rows(Cohort.of(two_weeks()), "tier")
    # L1 handled all six; T1, T2, T3, T6 were escalated from it (T1 and T2 between teams).
    # L2 handled T3 and T6 and escalated T3; L3 only received T3.
    assert by(rows) == {"L1": (6, 4, 5), "L2": (2, 1, 1), "L3": (1, 0, 0)}
    assert rows[0]["escalation_rate"] == pytest.approx(4 / 6)


def test_agent_rate_uses_the_tickets_assigned_to_the_agent(escalation_history):
    rows = {r["key"]: r for r in dimension_rows(Cohort.of(two_weeks()), "agent")}
    assert {k: (r["tickets"], r["escalated"]) for k, r in rows.items()} == {
        "ana": (3, 3),
        "bea": (2, 0),
        "lena": (1, 1),
        "otto": (4, 2),  # T2 sent back, and T6 escalated by the SLA while otto had it
    }
    assert rows["otto"]["escalation_rate"] == 0.5


@pytest.mark.parametrize(
    ("dimension", "expected"),
    [
        ("category", {"API": (2, 1, 1), "Invoices": (4, 3, 5)}),
        ("segment", {"Enterprise": (2, 1, 1), "Standard": (4, 3, 5)}),
        ("channel", {"E-mail": (2, 1, 1), "Portal": (4, 3, 5)}),
    ],
)
def test_ticket_attributes_divide_escalated_tickets_by_tickets(escalation_history, dimension, expected):
    assert by(dimension_rows(Cohort.of(two_weeks()), dimension)) == expected


def test_totals_count_each_escalated_ticket_once(escalation_history):
    overall = totals(Cohort.of(two_weeks()))
    assert (overall["tickets"], overall["escalated"], overall["escalations"]) == (6, 4, 6)


def test_tier_transitions_use_the_lower_tier_as_denominator(escalation_history):
    rows = dimensions_report(two_weeks()).table("tier_transitions").rows
    assert [(r["transition"], r["handled"], r["tickets"]) for r in rows] == [
        ("L1 → L2", 6, 2),
        ("L2 → L3", 2, 1),
    ]
    assert [r["rate"] for r in rows] == [pytest.approx(1 / 3), 0.5]


def test_automation_to_human_is_rejected_automatic_answers_over_automatic_answers(escalation_history):
    report = dimensions_report(two_weeks())
    numbers = {s.key: s.value for s in report.stats}
    assert (numbers["automatic_answers"], numbers["automation_to_human"]) == (2, 1)
    assert numbers["automation_to_human_rate"] == 0.5
    bands = {r["band"]: (r["tickets"], r["escalated"], r["rate"]) for r in report.table("automation").rows}
    assert bands == {"Autonomous": (2, 1, 0.5), "Human": (4, 3, 0.75)}


def test_triggers_share_the_escalation_events(escalation_history):
    rows = dimensions_report(two_weeks()).table("triggers").rows
    assert [(r["trigger"], r["escalations"], r["tickets"]) for r in rows] == [("Manual", 5, 3), ("SLA", 1, 1)]
    assert rows[1]["share"] == pytest.approx(1 / 6)


def test_team_filter_keeps_tickets_that_passed_through_the_team(escalation_history, technical):
    overall = totals(Cohort.of(two_weeks(team=technical)))
    assert (overall["tickets"], overall["escalated"]) == (4, 3)  # T1, T2, T5, T6


def test_agent_filter_keeps_the_agents_tickets_and_only_their_row(escalation_history, agent):
    cohort = Cohort.of(two_weeks(agent=agent))
    assert totals(cohort)["tickets"] == 3  # T1, T2, T3
    assert [(r["key"], r["tickets"], r["escalated"]) for r in dimension_rows(cohort, "agent")] == [
        ("ana", 3, 3)
    ]


def test_segment_channel_and_category_filters_narrow_the_cohort(escalation_history, api_category):
    assert totals(Cohort.of(two_weeks(segment="enterprise")))["tickets"] == 2
    assert totals(Cohort.of(two_weeks(channel="portal")))["tickets"] == 4
    assert totals(Cohort.of(two_weeks(category=api_category)))["escalated"] == 1
