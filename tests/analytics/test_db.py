"""Percentiles and durations computed in the database agree on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.db import connection
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


@pytest.mark.postgres
def test_postgresql_knows_how_many_weeks_and_days_the_tickets_span(db):
    """The planner statistics are on the very expressions the weekly and daily groupings send, in the
    site's time zone, so PostgreSQL counts those groups in its workers instead of sorting a year."""
    migration = importlib.import_module("helpdesk.migrations.0019_analytics_planner_statistics")
    with connection.cursor() as cursor:
        cursor.execute("SELECT stxname, (pg_get_statisticsobjdef_expressions(oid))[1] FROM pg_statistic_ext")
        stored = dict(cursor.fetchall())
        for name, function in migration.STATISTICS.items():
            # PostgreSQL's own rendering of what the report sends, to compare like with like
            sent = migration._expression_sql(connection, Ticket, function)
            cursor.execute(f"CREATE TEMP VIEW sent_{name} AS SELECT {sent} AS value FROM helpdesk_ticket")
            cursor.execute(f"SELECT pg_get_viewdef('sent_{name}')")
            rendered = cursor.fetchone()[0].replace("helpdesk_ticket.", "")
            assert stored[name] in rendered, (name, stored[name], rendered)
