"""Training gaps: agents compared with their peers on the same category mix, with a significance test."""

from __future__ import annotations

import pytest

from analytics.facts.cohort import Cohort
from analytics.metrics.training import AgentCounts, agent_category_counts, compare_agents, training_report
from tests.analytics.story import two_weeks


@pytest.fixture
def counts():
    """Category X: ann 6 of 10, bob 2 of 10, cid 2 of 20 escalated. Category Y: ann and bob 1 of 10 each."""
    handled = {("ann", "X"): 10, ("bob", "X"): 10, ("cid", "X"): 20, ("ann", "Y"): 10, ("bob", "Y"): 10}
    escalated = {("ann", "X"): 6, ("bob", "X"): 2, ("cid", "X"): 2, ("ann", "Y"): 1, ("bob", "Y"): 1}
    return AgentCounts(handled=handled, escalated=escalated, escalations=escalated, names={"ann": "Ann"})


def test_expected_escalations_use_the_peers_rate_in_each_category(counts):
    rows = {c.agent: c for c in compare_agents(counts)}
    # ann: X peers 4/30 x 10 + Y peers 1/10 x 10 = 2.333; bob: 8/30 x 10 + 1 = 3.667; cid: 8/20 x 20 = 8.
    assert rows["ann"].expected == pytest.approx(7 / 3)
    assert rows["bob"].expected == pytest.approx(11 / 3)
    assert rows["cid"].expected == pytest.approx(8.0)
    assert rows["ann"].ratio == pytest.approx(3.0)
    assert rows["ann"].biggest_gap == "X"


def test_exact_poisson_test_and_holm_adjustment_flag_only_the_real_outlier(counts):
    ranked = compare_agents(counts)
    assert [c.agent for c in ranked] == ["ann", "bob", "cid"]
    ann = ranked[0]
    assert ann.p_value == pytest.approx(0.0100677, abs=1e-6)  # P(X >= 7), X ~ Poisson(7/3)
    assert ann.adjusted_p == pytest.approx(3 * 0.0100677, abs=1e-5)  # three agents tested
    low, high = ann.interval()
    assert (low, high) == (pytest.approx(1.20616, abs=1e-4), pytest.approx(6.18115, abs=1e-4))
    assert [c.flagged for c in ranked] == [True, False, False]
    assert ranked[1].adjusted_p == 1.0


def test_a_raw_rate_above_average_is_not_a_gap_when_the_mix_explains_it():
    """dee only handles the hard category and escalates as often as peers there: ratio 1, not flagged."""
    handled = {("dee", "hard"): 20, ("eli", "hard"): 20, ("eli", "easy"): 40}
    escalated = {("dee", "hard"): 10, ("eli", "hard"): 10, ("eli", "easy"): 2}
    rows = {c.agent: c for c in compare_agents(AgentCounts(handled, escalated, escalated, {}))}
    assert rows["dee"].observed / rows["dee"].handled > 12 / 60  # raw rate well above the overall rate
    assert rows["dee"].ratio == pytest.approx(1.0)
    assert not rows["dee"].flagged


def test_counts_come_from_assignments_and_escalations_away_from_the_agent(escalation_history):
    counts = agent_category_counts(Cohort.of(two_weeks()))
    assert counts.handled == {
        ("ana", "Invoices"): 3,
        ("otto", "Invoices"): 2,
        ("otto", "API"): 2,
        ("bea", "Invoices"): 2,
        ("lena", "Invoices"): 1,
    }
    assert counts.escalated == {
        ("ana", "Invoices"): 3,
        ("otto", "Invoices"): 1,
        ("otto", "API"): 1,
        ("lena", "Invoices"): 1,
    }


def test_an_agent_sees_only_their_row_compared_with_all_peers(escalation_history, agent):
    rows = training_report(two_weeks(agent=agent)).table("agents").rows
    assert len(rows) == 1
    ana = rows[0]
    # Invoices peers: otto 1 of 2, bea 0 of 2, lena 1 of 1 -> 2 of 5; expected 3 x 0.4.
    assert (ana["handled"], ana["escalated"], ana["expected"], ana["ratio"]) == (3, 3, 1.2, 2.5)
    assert ana["p_value"] is None and ana["flagged"] == ""  # under 10 tickets: not tested
