"""Percentiles and durations computed in the database agree on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Count

from analytics.db import HoursBetween, Median, Percentile, percentile_of
from helpdesk.models import Ticket
from tests.factories import TicketFactory

T0 = dt.datetime(2025, 3, 3, 9, 0, tzinfo=dt.UTC)


def test_percentile_interpolates_like_percentile_cont():
    assert percentile_of([1.0, 2.0, 3.0, 10.0], 0.5) == 2.5
    assert percentile_of([0.5, 2.0, 30.0], 0.9) == pytest.approx(24.4)
    assert percentile_of([7.0], 0.9) == 7.0
    assert percentile_of([], 0.5) is None


def test_fractions_outside_zero_to_one_are_refused():
    with pytest.raises(ValueError):
        Percentile("id", 1.5)


def test_median_per_group_ignores_missing_values(tier1, tier2):
    for tier, minutes in ((tier1, 30), (tier1, 90), (tier1, None), (tier2, 45)):
        resolved = T0 + dt.timedelta(minutes=minutes) if minutes is not None else None
        TicketFactory(tier=tier, created_at=T0, resolved_at=resolved)
    hours = HoursBetween("resolved_at", "created_at")
    rows = list(
        Ticket.objects.values("tier__level")
        .annotate(n=Count("pk"), median=Median(hours), p90=Percentile(hours, 0.9))
        .order_by("tier__level")
    )
    assert [(r["tier__level"], r["n"]) for r in rows] == [(1, 3), (2, 1)]
    assert rows[0]["median"] == pytest.approx(1.0) and rows[0]["p90"] == pytest.approx(1.4)
    assert rows[1]["median"] == pytest.approx(0.75)
