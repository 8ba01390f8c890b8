"""What the model card page shows about autonomy: per category, the thresholds and their recent changes,
and how many tickets went autonomous / review / human with how the automated ones turned out.

A read-only selector: a handful of aggregate queries whatever the number of tickets. The analytics
model card includes templates/escalation/_autonomy_report.html with `autonomy_report` in its context.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count
from django.utils import timezone

from escalation.models.autonomy import (
    FAILURES,
    SUCCESSES,
    AutomationRecord,
    AutonomyDefaults,
    CategoryAutonomy,
    Outcome,
    ThresholdChange,
)
from helpdesk.models import Autonomy, Category, Ticket

RECENT_CHANGES = 5


@dataclass(frozen=True)
class ThresholdMove:
    at: dt.datetime
    old: float
    new: float
    reason: str
    evidence: dict


@dataclass
class CategoryRow:
    category: str
    automatable: bool
    base: float
    effective: float
    review: float
    low: float
    top: float
    modes: dict[str, int] = field(default_factory=dict)  # Autonomy value -> tickets
    outcomes: dict[str, int] = field(default_factory=dict)  # Outcome value -> automation records
    changes: list[ThresholdMove] = field(default_factory=list)

    @property
    def successes(self) -> int:
        return sum(n for outcome, n in self.outcomes.items() if outcome in SUCCESSES)

    @property
    def failures(self) -> int:
        return sum(n for outcome, n in self.outcomes.items() if outcome in FAILURES)

    @property
    def mode_counts(self) -> list[tuple[str, int]]:
        """(label, tickets) in the order autonomous, review, human."""
        return [(label, self.modes.get(value, 0)) for value, label in Autonomy.choices]

    @property
    def outcome_counts(self) -> list[tuple[str, int]]:
        return [(label, self.outcomes[value]) for value, label in Outcome.choices if self.outcomes.get(value)]


@dataclass
class AutonomyReport:
    since: dt.datetime | None
    rows: list[CategoryRow]

    @property
    def totals(self) -> dict[str, int]:
        return {label: sum(row.modes.get(value, 0) for row in self.rows) for value, label in Autonomy.choices}


def autonomy_report(*, since: dt.datetime | None = None) -> AutonomyReport:
    """Every category with tickets, settings or automation, busiest first. `since` limits the counts."""
    tickets = Ticket.objects.filter(created_at__gte=since) if since else Ticket.objects.all()
    records = (
        AutomationRecord.objects.filter(created_at__gte=since) if since else AutomationRecord.objects.all()
    )
    modes: dict[int, dict[str, int]] = {}
    for row in (
        tickets.exclude(autonomy=None).values("category_id", "autonomy").annotate(n=Count("pk")).order_by()
    ):
        modes.setdefault(row["category_id"], {})[row["autonomy"]] = row["n"]
    outcomes: dict[int, dict[str, int]] = {}
    for row in records.values("category_id", "outcome").annotate(n=Count("pk")).order_by():
        outcomes.setdefault(row["category_id"], {})[row["outcome"]] = row["n"]
    settings = {s.category_id: s for s in CategoryAutonomy.objects.all()}
    defaults = AutonomyDefaults.load()
    changes: dict[int, list[ThresholdMove]] = {}
    for change in ThresholdChange.objects.select_related("setting").order_by("-at", "-id")[:500]:
        moves = changes.setdefault(change.setting.category_id, [])
        if len(moves) < RECENT_CHANGES:
            moves.append(ThresholdMove(change.at, change.old, change.new, change.reason, change.evidence))
    wanted = set(modes) | set(outcomes) | set(settings)
    rows = []
    for category in Category.objects.filter(pk__in=wanted - {None}) | Category.objects.filter(
        is_automatable=True
    ):
        t = (settings.get(category.pk) or CategoryAutonomy(category=category)).resolved(defaults)
        rows.append(
            CategoryRow(
                category=category.name,
                automatable=category.is_automatable,
                base=t.high,
                effective=t.effective,
                review=t.review,
                low=t.low,
                top=t.top,
                modes=modes.get(category.pk, {}),
                outcomes=outcomes.get(category.pk, {}),
                changes=changes.get(category.pk, []),
            )
        )
    rows.sort(key=lambda r: (-sum(r.modes.values()), r.category))
    return AutonomyReport(since=since, rows=rows)


def recent_autonomy_report(days: int = 90) -> AutonomyReport:
    return autonomy_report(since=timezone.now() - dt.timedelta(days=days))
