"""What per-creation-day roll-ups would make of the timing page over a year at 1M tickets: a probe, not product code.

    python bench/analytics.py --build-only          # the 1M-ticket history (bench_analytics), once
    python bench/analytics_rollup_probe.py          # fill a year of day partials, then time reading them back

The timing page (the slowest over a year: ten percentiles) is recomputed from per-day partials: for each
creation day, the day's values as packed arrays (float64) (resolution hours with tier and escalated flag; time to
first escalation and after it per escalated ticket; week cell and hours to resolution per escalation
event; ticket and escalated counts). Percentiles over any range are then exact (numpy's linear
interpolation is percentile_cont's), and counts are sums, because every ticket has exactly one creation
day. The probe prints how long filling the partials takes, how long a year's figures take from them
(cold: read the day rows, unpack, merge, compute), the same figures from the page as shipped, and
whether every figure agrees.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.analytics import setup_django  # noqa: E402

TABLE = "probe_timing_day"
BUCKET_EDGES = [0, 1, 4, 8, 24, 48, 96, 168, math.inf]  # analytics.metrics.timing.BUCKETS

FILL = {
    # per resolved ticket: hours to resolution, tier level (-1: none), escalated or not
    "resolved": """
        SELECT t.created_at::date, array_agg(date_part('epoch', t.resolved_at - t.created_at) / 3600.0),
               array_agg(coalesce(tier.level, -1)), array_agg(t.escalation_count > 0)
        FROM helpdesk_ticket t LEFT JOIN helpdesk_tier tier ON tier.id = t.tier_id
        WHERE t.created_at >= %(start)s AND t.created_at < %(end)s AND t.resolved_at IS NOT NULL
        GROUP BY 1""",
    # per escalated ticket: hours from creation to its first escalation, from that to resolution
    "escalated": """
        SELECT created::date, array_agg(date_part('epoch', first - created) / 3600.0),
               array_agg(date_part('epoch', resolved - first) / 3600.0)
        FROM (SELECT min(t.created_at) AS created, min(e.created_at) AS first, min(t.resolved_at) AS resolved
              FROM helpdesk_ticketevent e JOIN helpdesk_ticket t ON t.id = e.ticket_id
              WHERE e.code IN ('escalation.functional', 'escalation.hierarchical')
                AND e.created_at >= %(start)s AND t.created_at >= %(start)s AND t.created_at < %(end)s
              GROUP BY e.ticket_id) per_ticket
        GROUP BY 1""",
    # per escalation event: its week cell (weekday x 24 + hour) and hours to the ticket's resolution
    "events": """
        SELECT t.created_at::date,
               array_agg(((extract(isodow FROM e.created_at)::int - 1) * 24 + extract(hour FROM e.created_at)::int)),
               array_agg(date_part('epoch', t.resolved_at - e.created_at) / 3600.0)
        FROM helpdesk_ticketevent e JOIN helpdesk_ticket t ON t.id = e.ticket_id
        WHERE e.code IN ('escalation.functional', 'escalation.hierarchical')
          AND e.created_at >= %(start)s AND t.created_at >= %(start)s AND t.created_at < %(end)s
        GROUP BY 1""",
    "counts": """
        SELECT created_at::date, count(*), count(*) FILTER (WHERE escalation_count > 0)
        FROM helpdesk_ticket WHERE created_at >= %(start)s AND created_at < %(end)s GROUP BY 1""",
}


def floats(values) -> np.ndarray:
    return np.array(
        [np.nan if v is None else v for v in values], dtype=np.float64
    )  # float32 would round hours past the page's 1/10000 h


def fill(cursor, start: dt.datetime, end: dt.datetime) -> int:
    days: dict[dt.date, dict[str, np.ndarray]] = {}
    for kind, sql in FILL.items():
        cursor.execute(sql, {"start": start, "end": end})
        for day, *columns in cursor.fetchall():
            part = days.setdefault(day, {})
            if kind == "resolved":
                part["res_hours"] = floats(columns[0])
                part["res_tier"] = np.array(columns[1], dtype=np.int8)
                part["res_escalated"] = np.array(columns[2], dtype=bool)
            elif kind == "escalated":
                part["tte"], part["after"] = floats(columns[0]), floats(columns[1])
            elif kind == "events":
                part["cell"], part["cell_after"] = np.array(columns[0], dtype=np.int16), floats(columns[1])
            else:
                part["counts"] = np.array(columns, dtype=np.int64)
    cursor.execute(f"CREATE TABLE IF NOT EXISTS {TABLE} (day date PRIMARY KEY, partial bytea NOT NULL)")
    for day, part in days.items():
        buffer = io.BytesIO()
        np.savez(buffer, **part)
        cursor.execute(
            f"INSERT INTO {TABLE} VALUES (%s, %s) ON CONFLICT (day) DO UPDATE SET partial = EXCLUDED.partial",
            [day, buffer.getvalue()],
        )
    return len(days)


def dirty_days(cursor, hours: int) -> list[dt.date]:
    """The creation days of the tickets that changed in the last `hours` (what a refresh recomputes).

    The bench history's event ids are not in time order, so the probe selects by time; the product
    would keep the last event id it rolled up (a watermark) and select by the primary key."""
    cursor.execute(
        "SELECT DISTINCT t.created_at::date FROM helpdesk_ticketevent e JOIN helpdesk_ticket t ON t.id = e.ticket_id"
        " WHERE e.created_at > now() - make_interval(hours => %s)",
        [hours],
    )
    return sorted(row[0] for row in cursor.fetchall())


def percentile(values: np.ndarray, fraction: float) -> float | None:
    values = values[~np.isnan(values)]
    return float(np.percentile(values, fraction * 100)) if len(values) else None


def from_partials(cursor, since: dt.date, until: dt.date) -> dict:
    cursor.execute(f"SELECT partial FROM {TABLE} WHERE day BETWEEN %s AND %s", [since, until])
    parts = [np.load(io.BytesIO(row[0])) for row in cursor.fetchall()]

    def joined(name: str) -> np.ndarray:
        return np.concatenate([p[name] for p in parts if name in p.files])

    res, tier, esc = joined("res_hours"), joined("res_tier"), joined("res_escalated")
    tte, after = joined("tte"), joined("after")
    cell, cell_after = joined("cell"), joined("cell_after")
    figures = {
        "escalated": len(tte),
        "tte_median": percentile(tte, 0.5),
        "tte_p90": percentile(tte, 0.9),
        "after_median": percentile(after, 0.5),
        "after_p90": percentile(after, 0.9),
        "buckets": np.histogram(tte, bins=BUCKET_EDGES)[0].tolist(),
    }
    for name, chosen in (("all", slice(None)), ("plain", ~esc), ("esc", esc)):
        figures[f"{name}_resolved"] = int(len(res[chosen]))
        figures[f"{name}_median"] = percentile(res[chosen], 0.5)
        figures[f"{name}_p90"] = percentile(res[chosen], 0.9)
    figures["by_tier"] = {
        int(level): (int((tier == level).sum()), percentile(res[tier == level], 0.5))
        for level in np.unique(tier)
    }
    order = np.argsort(cell, kind="stable")
    cells, starts = np.unique(cell[order], return_index=True)
    groups = np.split(cell_after[order], starts[1:])
    figures["cells"] = {int(c): (len(g), percentile(g, 0.5)) for c, g in zip(cells, groups, strict=True)}
    weekday = cell // 24
    figures["weekdays"] = {int(d): percentile(cell_after[weekday == d], 0.5) for d in np.unique(weekday)}
    figures["day_counts"] = int(sum(p["counts"][0] for p in parts if "counts" in p.files))
    return figures


def main() -> None:
    setup_django()
    from django.db import connection
    from django.utils import timezone

    from analytics.db import reporting_session
    from analytics.filters import Filters
    from analytics.metrics.timing import timing_report

    until = timezone.localdate()
    since = until - dt.timedelta(days=364)
    filters = Filters(since=since, until=until)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")
        started = time.perf_counter()
        with reporting_session():
            days = fill(cursor, filters.start, filters.end)
        print(
            f"filled {days} day partials in {time.perf_counter() - started:.1f} s (a one-off; then only changed days)"
        )
        cursor.execute(f"SELECT pg_size_pretty(pg_total_relation_size('{TABLE}'))")
        print(f"stored: {cursor.fetchone()[0]}")
        started = time.perf_counter()
        changed = dirty_days(cursor, 24)
        found = time.perf_counter() - started
        started = time.perf_counter()
        for day in changed:
            start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
            fill(cursor, start, start + dt.timedelta(days=1))
        print(
            f"a day of changes touched tickets of {len(changed)} creation days: found in "
            f"{found * 1000:.0f} ms, refreshed in {(time.perf_counter() - started) * 1000:.0f} ms"
        )
        for round_ in range(3):  # alternated: the page as shipped, then the same year from the partials
            started = time.perf_counter()
            with reporting_session():
                report = timing_report(filters)
            shipped = time.perf_counter() - started
            started = time.perf_counter()
            figures = from_partials(cursor, since, until)
            probe = time.perf_counter() - started
            print(
                f"round {round_ + 1}: timing page as shipped {shipped * 1000:.0f} ms, from day partials {probe * 1000:.0f} ms"
            )
    stats = {s.key: s.value for s in report.stats}
    checks = {
        "escalated tickets": (stats["escalated"], figures["escalated"]),
        "median time to escalation": (stats["median_time_to_escalation"], figures["tte_median"]),
        "p90 time to escalation": (stats["p90_time_to_escalation"], figures["tte_p90"]),
        "median after escalation": (stats["median_after_escalation"], figures["after_median"]),
        "median resolution": (stats["median_resolution"], figures["all_median"]),
    }
    histogram = next(t for t in report.tables if t.key == "time_to_escalation")
    checks["histogram"] = ([r["tickets"] for r in histogram.rows], figures["buckets"])
    grid = next(t for t in report.tables if t.key == "heatmap")
    checks["week cells"] = (
        sorted((r["escalations"], r["median"]) for r in grid.rows),
        sorted((n, None if m is None else round(m, 4)) for n, m in figures["cells"].values()),
    )
    for name, (page, partial) in checks.items():
        if isinstance(page, float) and isinstance(partial, float):
            same = abs(page - partial) <= 0.00005 + 1e-9 * abs(page)  # the page rounds hours to 1/10000
        else:
            same = page == partial
        print(
            f"  {'same' if same else 'DIFFERENT':9} {name}: page {str(page)[:70]}, partials {str(partial)[:70]}"
        )


if __name__ == "__main__":
    main()
