"""Thresholds that learn from outcomes: escalate earlier where automation fails, later where it works.

- A failure (the customer said it did not help, came back about it within the follow-up window, rated the
  automatic resolution low, or an agent discarded the draft) raises the category's effective threshold by
  one step, capped at its maximum, and starts the success count again.
- Each run of K consecutive successes (confirmed, unanswered within the window, draft approved) lowers it
  by one step, floored at its minimum.
Reviewers' verdicts count too: a discarded draft is the most direct evidence that the suggested answer
was wrong for the category, an approved one that it was right.

Every move is written to ThresholdChange with the evidence (ticket ids, outcome counts). A move that the
bounds swallow (already at the cap) changes nothing and is not logged. All of it happens under the
category setting's row lock, so concurrent outcomes cannot lose a step.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from escalation.models.autonomy import (
    FAILURES,
    SUCCESSES,
    AutomationRecord,
    CategoryAutonomy,
    Outcome,
    ThresholdChange,
)

EVIDENCE_DAYS = 30  # the outcome counts a change log entry carries


def _recent_counts(category_id: int, now: dt.datetime) -> dict[str, int]:
    since = now - dt.timedelta(days=EVIDENCE_DAYS)
    rows = (
        AutomationRecord.objects.filter(category_id=category_id, created_at__gte=since)
        .values("outcome")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["outcome"]: row["n"] for row in rows}


def _move(setting: CategoryAutonomy, steps: int, reason: str, evidence: dict, now: dt.datetime) -> None:
    """Shift the adjustment by whole steps and log the change, unless the bounds keep it where it is."""
    before = setting.resolved()
    setting.adjustment = round(setting.adjustment + steps * before.step, 4)
    after = setting.resolved()
    # Keep the stored adjustment inside the bounds, so a later step the other way moves at once.
    setting.adjustment = round(after.effective - after.high, 4)
    if after.effective == before.effective:
        return
    ThresholdChange.objects.create(
        setting=setting,
        at=now,
        old=before.effective,
        new=after.effective,
        reason=reason,
        evidence={**evidence, f"last_{EVIDENCE_DAYS}_days": _recent_counts(setting.category_id, now)},
    )


def settle(record: AutomationRecord, outcome: str, *, note: str = "") -> bool:
    """Give an automation record its outcome and let the category's threshold learn from it.

    A success only counts once, while the record is pending; a failure may still follow a success
    (a low rating or a follow-up after a confirmed answer). Returns False when nothing changed.
    """
    now = timezone.now()
    with transaction.atomic():
        locked = AutomationRecord.objects.select_for_update().filter(pk=record.pk).first()
        if locked is None or locked.outcome == outcome:
            return False
        if outcome in SUCCESSES and locked.outcome != Outcome.PENDING:
            return False
        if outcome in FAILURES and locked.outcome in FAILURES:
            return False
        locked.outcome, locked.outcome_at = outcome, now
        locked.save(update_fields=["outcome", "outcome_at"])
        record.outcome, record.outcome_at = outcome, now
        if locked.category_id:
            _learn(locked, outcome, note, now)
    return True


def _learn(record: AutomationRecord, outcome: str, note: str, now: dt.datetime) -> None:
    CategoryAutonomy.objects.get_or_create(category_id=record.category_id)
    setting = CategoryAutonomy.objects.select_for_update().get(category_id=record.category_id)
    label = Outcome(outcome).label.lower()
    if outcome in FAILURES:
        setting.success_streak = []
        _move(
            setting,
            +1,
            f"Automation failed on #{record.ticket_id}: {label}{f' ({note})' if note else ''}.",
            {"ticket_ids": [record.ticket_id], "outcome": outcome, "mode": record.mode},
            now,
        )
    else:
        streak = [*setting.success_streak, record.ticket_id]
        needed = setting.resolved().successes_to_lower
        if len(streak) >= needed:
            _move(
                setting,
                -1,
                f"{len(streak)} automatic resolutions in a row worked.",
                {"ticket_ids": streak, "outcome": "successes", "streak": len(streak)},
                now,
            )
            streak = []
        setting.success_streak = streak
    setting.save(update_fields=["adjustment", "success_streak", "updated_at"])
