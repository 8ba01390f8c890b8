"""Database expressions the metrics need on both SQLite and PostgreSQL: hours between two times, and
percentiles (medians) computed in the database, also per group.

PostgreSQL has `percentile_cont`; SQLite has no percentile function, so one is registered on every
new SQLite connection (`register_sqlite_functions`, wired in `AnalyticsConfig.ready`).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, transaction
from django.db.models import Aggregate, FloatField, Func

SQLITE_PERCENTILE = "HD_PERCENTILE"


class HoursBetween(Func):
    """(end - start) in hours, as a float; NULL when either is NULL."""

    arity = 2
    output_field = FloatField()

    def __init__(self, end, start, **extra):
        super().__init__(end, start, **extra)

    def as_sql(self, compiler, connection, **extra_context):
        return super().as_sql(
            compiler,
            connection,
            # date_part returns double precision; EXTRACT returns numeric since PostgreSQL 14 and
            # made every percentile over a quarter of a million rows ~50% slower here.
            template="(date_part('epoch', %(expressions)s) / 3600.0)",
            arg_joiner=" - ",
            **extra_context,
        )

    def as_sqlite(self, compiler, connection, **extra_context):
        # Django stores UTC text timestamps on SQLite; julianday() reads them, fractions of seconds too.
        return super().as_sql(
            compiler,
            connection,
            template="((julianday(%(expressions)s)) * 24.0)",
            arg_joiner=") - julianday(",
            **extra_context,
        )


class Percentile(Aggregate):
    """The continuous percentile (0.5 = median) of a numeric expression; NULLs are ignored.

    Linear interpolation between the two nearest values, as PostgreSQL's percentile_cont does.
    """

    name = "Percentile"
    function = "PERCENTILE_CONT"
    output_field = FloatField()
    allow_distinct = False

    def __init__(self, expression, fraction: float, **extra):
        if not 0.0 <= float(fraction) <= 1.0:
            raise ValueError("fraction must be between 0 and 1")
        self.fraction = float(fraction)
        super().__init__(expression, **extra)

    def as_sql(self, compiler, connection, **extra_context):
        # The template goes on a copy, not in extra_context: Aggregate.as_sql with a filter passes its
        # own `template` and would clash with ours.
        clone = self.copy()
        clone.template = f"%(function)s({self.fraction!r}) WITHIN GROUP (ORDER BY %(expressions)s)"
        return super(Percentile, clone).as_sql(compiler, connection, **extra_context)

    def as_sqlite(self, compiler, connection, **extra_context):
        clone = self.copy()
        clone.function = SQLITE_PERCENTILE
        clone.template = f"%(function)s(%(expressions)s, {self.fraction!r})"
        return super(Percentile, clone).as_sql(compiler, connection, **extra_context)


def Median(expression, **extra) -> Percentile:  # noqa: N802 - reads like the other aggregates
    return Percentile(expression, 0.5, **extra)


def percentile_of(values: list[float], fraction: float) -> float | None:
    """percentile_cont over a sorted list: the SQLite aggregate's arithmetic, also usable in tests."""
    if not values:
        return None
    position = (len(values) - 1) * fraction
    low, high = math.floor(position), math.ceil(position)
    if low == high:
        return float(values[low])
    return values[low] + (values[high] - values[low]) * (position - low)


class _SqlitePercentile:
    """The SQLite aggregate behind Percentile: collects the group's values, interpolates at the end."""

    def __init__(self) -> None:
        self.values: list[float] = []
        self.fraction = 0.5

    def step(self, value, fraction) -> None:
        self.fraction = fraction
        if value is not None:
            self.values.append(value)

    def finalize(self) -> float | None:
        return percentile_of(sorted(self.values), self.fraction)


def register_sqlite_functions(sender, connection, **kwargs) -> None:
    """connection_created receiver: add the percentile aggregate to each new SQLite connection."""
    if connection.vendor == "sqlite":
        connection.connection.create_aggregate(SQLITE_PERCENTILE, 2, _SqlitePercentile)


@contextmanager
def reporting_session() -> Iterator[None]:
    """Run a report's queries in one read transaction tuned for scanning many rows once.

    On PostgreSQL: no JIT compilation (it added ~250 ms to each big aggregate here and saved nothing),
    and more memory for the sorts behind percentiles, for this transaction only; parallel workers are
    cheaper to start (scans of a quarter's events and tickets split over the cores: escalations at 1M
    tickets 1.7 -> 1.3 s, outcomes 1.25 -> 0.8 s cold). Joins are reordered as
    freely as PostgreSQL's default allows (other work limits that; see DATABASES in config/settings.py).
    """
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT set_config('jit', 'off', true), set_config('work_mem', '64MB', true),"
                    " set_config('join_collapse_limit', '8', true),"
                    " set_config('parallel_setup_cost', '100', true), set_config('parallel_tuple_cost', '0.01', true)"
                )
        yield
