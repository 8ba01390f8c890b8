"""Conditions and small helpers shared by the metric modules (definitions in docs/metrics.md)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from django.db.models import Q

SATISFIED = Q(csat__score__gte=4)
MIN_TICKETS_FOR_FLAG = 5


def tier_name(level: int | None) -> str:
    return f"L{level}" if level is not None else "—"


def round4(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def sum_by(groups: Iterable[dict[str, Any]], key: Callable[[dict[str, Any]], Any], measures: Iterable[str]):
    """Counts of finely grouped rows added up per key(row): a page reads its rows once, grouped by every
    dimension it shows, and each table (or the total, with a constant key) is a sum over those groups.
    Only counts and sums add up this way; missing values count as 0."""
    measures = tuple(measures)
    sums: dict[Any, dict[str, int]] = defaultdict(lambda: dict.fromkeys(measures, 0))
    for group in groups:
        row = sums[key(group)]
        for measure in measures:
            row[measure] += group[measure] or 0
    return dict(sums)


def total(groups: Iterable[dict[str, Any]], measures: Iterable[str]) -> dict[str, int]:
    """The measures added up over all the groups (missing values count as 0)."""
    groups = list(groups)
    return {measure: sum(group[measure] or 0 for group in groups) for measure in measures}
