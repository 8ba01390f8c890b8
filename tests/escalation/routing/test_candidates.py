"""Candidate agents: every exclusion reason, in its order, and the score that ranks the rest."""

from __future__ import annotations

import pytest

from escalation.routing.candidates import AgentFacts, Need, Weights, assess, assess_all

WEIGHTS = Weights(skill=0.3, load=0.55, stickiness=0.15, urgent_load_factor=0.25)


def agent(pk=1, **facts) -> AgentFacts:
    base = {
        "pk": pk,
        "username": f"a{pk}",
        "name": f"Agent {pk}",
        "tier_level": 1,
        "tier_id": 1,
        "status": "available",
        "capacity": 5,
        "load": 0,
        "on_leave": False,
        "working": True,
        "timezone": "UTC",
        "languages": ("en",),
        "skills": {"payments": 4},
    }
    return AgentFacts(**{**base, **facts})


@pytest.mark.parametrize(
    ("facts", "need", "reason"),
    [
        ({}, {"declined": frozenset({1})}, "declined this ticket"),
        ({}, {"excluded": frozenset({1})}, "handed this ticket on"),
        ({"tier_level": 2}, {}, "wrong tier (L2; the ticket needs L1)"),
        ({"on_leave": True}, {}, "on leave"),
        ({"status": "offline"}, {}, "offline"),
        ({"status": "away"}, {}, "away"),
        ({"working": False, "timezone": "Asia/Tokyo"}, {}, "outside working hours (Asia/Tokyo)"),
        ({}, {"required_skills": ("security",)}, "missing required skill: security"),
        ({}, {"language": "de"}, "does not speak de"),
        (
            {},
            {"optional_skills": ("refunds",), "relax_minutes": 15},
            "missing preferred skill: refunds (relaxed after 15 min of waiting)",
        ),
        ({"load": 5}, {}, "at capacity (5/5 open)"),
    ],
)
def test_each_exclusion_reason(facts, need, reason):
    result = assess(agent(**facts), Need(tier_level=1, **need), WEIGHTS)
    assert not result.eligible and result.score is None and result.reason == reason


def test_checks_run_in_order_so_the_most_basic_reason_is_given():
    result = assess(agent(status="offline", load=5, tier_level=3), Need(tier_level=1), WEIGHTS)
    assert result.code == "tier"


def test_relaxed_optional_skills_and_overflow_tier_make_an_agent_eligible():
    need = Need(tier_level=1, optional_skills=("refunds",), relaxed=True, overflow=True)
    assert assess(agent(tier_level=2), need, WEIGHTS).eligible


def test_the_ticket_itself_does_not_count_against_its_current_agent():
    assert assess(agent(load=5), Need(tier_level=1, current_assignee_id=1), WEIGHTS).eligible


def test_language_variants_match_their_base_language():
    assert assess(agent(languages=("de",)), Need(tier_level=1, language="de-AT"), WEIGHTS).eligible


def test_score_weighs_skill_fit_against_spare_capacity():
    expert_busy = agent(1, skills={"payments": 5}, load=4)
    novice_free = agent(2, skills={"payments": 2}, load=0)
    need = Need(tier_level=1, required_skills=("payments",))
    ranked = assess_all([expert_busy, novice_free], need, WEIGHTS)
    assert [a.agent.pk for a in ranked] == [2, 1]


def test_urgent_tickets_favour_the_best_fit_over_balance():
    expert_busy = agent(1, skills={"payments": 5}, load=3)
    novice_free = agent(2, skills={"payments": 2}, load=0)
    need = Need(tier_level=1, required_skills=("payments",), urgent=True)
    assert assess_all([novice_free, expert_busy], need, WEIGHTS)[0].agent.pk == 1


def test_the_agent_who_served_the_customer_well_gets_a_bonus():
    need = Need(tier_level=1, last_good_agent_id=2)
    ranked = assess_all([agent(1), agent(2)], need, WEIGHTS)
    assert ranked[0].agent.pk == 2 and ranked[0].details["served_customer_well"]


def test_excluded_agents_are_listed_after_eligible_ones():
    ranked = assess_all([agent(1, status="offline"), agent(2)], Need(tier_level=1), WEIGHTS)
    assert [a.eligible for a in ranked] == [True, False]
    assert ranked[1].record() == {
        "agent": "a1",
        "score": None,
        "excluded_reason": "offline",
        "details": {"load": "0/5"},
    }
