"""Thresholds learn from outcomes: failures raise a category's threshold, runs of successes lower it,
always within the admin's bounds, and every move is logged with its evidence."""

from __future__ import annotations

import pytest

from escalation.autonomy.learning import settle
from escalation.models.autonomy import (
    AutomationRecord,
    AutonomyDefaults,
    CategoryAutonomy,
    Outcome,
    ThresholdChange,
)
from helpdesk.models import Autonomy
from tests.factories import CategoryFactory, TicketFactory


@pytest.fixture
def how_to(db):
    category = CategoryFactory(name="How-to question", is_automatable=True)
    CategoryAutonomy.objects.create(
        category=category,
        high_threshold=0.85,
        min_threshold=0.8,
        max_threshold=0.92,
        step=0.04,
        successes_to_lower=3,
    )
    return category


def answered(category, mode=Autonomy.AUTONOMOUS) -> AutomationRecord:
    return AutomationRecord.objects.create(
        ticket=TicketFactory(category=category), mode=mode, category=category
    )


def effective(category) -> float:
    return CategoryAutonomy.objects.get(category=category).resolved().effective


def test_reopens_raise_the_threshold_up_to_the_maximum(how_to):
    records = [answered(how_to) for _ in range(4)]
    for record in records:
        settle(record, Outcome.REOPENED)

    assert effective(how_to) == 0.92  # 0.85 → 0.89 → 0.92 (capped), then stays
    changes = list(ThresholdChange.objects.order_by("at", "id"))
    assert [(c.old, c.new) for c in changes] == [(0.85, 0.89), (0.89, 0.92)]
    assert changes[0].evidence["ticket_ids"] == [records[0].ticket_id]
    assert changes[1].evidence["last_30_days"] == {"reopened": 2, "pending": 2}
    assert "did not help" in changes[0].reason.lower()


def test_successes_lower_it_again_but_not_below_the_minimum(how_to):
    settle(answered(how_to), Outcome.REOPENED)
    assert effective(how_to) == 0.89

    streaks = [[answered(how_to) for _ in range(3)] for _ in range(3)]
    settle(streaks[0][0], Outcome.CONFIRMED)
    settle(streaks[0][1], Outcome.UNANSWERED)
    assert effective(how_to) == 0.89  # two successes are not yet a run of three
    settle(streaks[0][2], Outcome.CONFIRMED)
    assert effective(how_to) == 0.85
    for record in streaks[1] + streaks[2]:
        settle(record, Outcome.CONFIRMED)

    assert effective(how_to) == 0.8  # floored at the minimum
    lowered = ThresholdChange.objects.filter(new__lt=0.89).order_by("at", "id").first()
    assert lowered.evidence["ticket_ids"] == [r.ticket_id for r in streaks[0]]
    assert lowered.evidence["streak"] == 3


def test_a_failure_breaks_the_run_of_successes(how_to):
    settle(answered(how_to), Outcome.CONFIRMED)
    settle(answered(how_to), Outcome.CONFIRMED)
    settle(answered(how_to), Outcome.LOW_CSAT)
    settle(answered(how_to), Outcome.CONFIRMED)

    setting = CategoryAutonomy.objects.get(category=how_to)
    assert len(setting.success_streak) == 1 and setting.resolved().effective == 0.89


def test_review_verdicts_count_too(how_to):
    settle(answered(how_to, Autonomy.REVIEW), Outcome.REJECTED)
    assert effective(how_to) == 0.89


def test_an_outcome_counts_once(how_to):
    record = answered(how_to)
    assert settle(record, Outcome.CONFIRMED)
    assert not settle(record, Outcome.CONFIRMED)
    assert not settle(record, Outcome.UNANSWERED)  # already settled as a success
    assert settle(record, Outcome.LOW_CSAT)  # but it may still turn out badly
    assert not settle(record, Outcome.FOLLOWED_UP)  # one failure per answer
    assert ThresholdChange.objects.count() == 1


def test_a_category_without_settings_learns_with_the_defaults(db):
    defaults = AutonomyDefaults.load()
    category = CategoryFactory(name="Password reset", is_automatable=True)
    settle(answered(category), Outcome.REOPENED)

    assert effective(category) == round(defaults.high_threshold + defaults.step, 4)


def test_an_admin_edit_of_the_base_keeps_what_was_learned(how_to):
    settle(answered(how_to), Outcome.REOPENED)
    setting = CategoryAutonomy.objects.get(category=how_to)
    setting.high_threshold = 0.82
    setting.save()

    assert effective(how_to) == 0.86
