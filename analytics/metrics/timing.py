"""Timing: how long until tickets escalate, how long they take after escalating, resolution time by tier,
and when in the week escalations happen and how long those take to resolve."""

from __future__ import annotations

import datetime as dt
import statistics
from typing import Any

import numpy as np
from scipy.stats import fisher_exact

from analytics.facts.cohort import Cohort
from analytics.facts.numbers import count_by, groups, looked_up, median, percentile, percentile_by
from analytics.filters import Filters
from analytics.metrics.common import tier_name
from analytics.report import Chart, Column, Report, Stat, Table, hours, rate
from helpdesk.models import Tier

# Histogram buckets for time to first escalation: (label, lower bound in hours, upper bound or None).
BUCKETS = [
    ("< 1 h", 0, 1),
    ("1-4 h", 1, 4),
    ("4-8 h", 4, 8),
    ("8-24 h", 8, 24),
    ("1-2 d", 24, 48),
    ("2-4 d", 48, 96),
    ("4-7 d", 96, 168),
    ("≥ 7 d", 168, None),
]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
SLOW_DAY_RATIO = 1.25


def _escalation_timing(cohort: Cohort) -> dict[str, Any]:
    """Time to first escalation and from it to resolution, over the escalated tickets (those with an
    escalation event)."""
    to_escalation, after = cohort.tickets("first_escalation_h", "after_first_h")
    escalated = ~np.isnan(to_escalation)
    to_escalation, after = to_escalation[escalated], after[escalated]
    buckets = {
        f"bucket_{i}": int(
            ((to_escalation >= low) & (to_escalation < (np.inf if high is None else high))).sum()
        )
        for i, (_, low, high) in enumerate(BUCKETS)
    }
    return {
        "escalated": int(escalated.sum()),
        "tte_median": median(to_escalation),
        "tte_p90": percentile(to_escalation, 0.9),
        "after_median": median(after),
        "after_p90": percentile(after, 0.9),
        **buckets,
    }


def _resolution_timing(cohort: Cohort) -> dict[str, Any]:
    """Hours from creation to resolution: all tickets, never escalated, escalated."""
    resolved, resolution, escalations = cohort.tickets("resolved", "resolution_h", "escalation_count")
    measures: dict[str, Any] = {}
    for name, condition in (
        ("all", resolved),
        ("plain", resolved & (escalations == 0)),
        ("esc", resolved & (escalations > 0)),
    ):
        measures[f"{name}_resolved"] = int(condition.sum())
        measures[f"{name}_median"] = median(resolution[condition])
        measures[f"{name}_p90"] = percentile(resolution[condition], 0.9)
    return measures


def _histogram(timing: dict[str, Any]) -> Table:
    rows = [{"bucket": label, "tickets": timing[f"bucket_{i}"]} for i, (label, _, _) in enumerate(BUCKETS)]
    return Table(
        key="time_to_escalation",
        title="Time to first escalation",
        description="Escalated tickets by the time from creation to their first escalation.",
        columns=[Column("bucket", "Time to escalation"), Column("tickets", "Tickets", "int")],
        rows=rows,
        chart=Chart("columns", label="bucket", value="tickets"),
    )


def _resolution_comparison(timing: dict[str, Any]) -> Table:
    groups = [
        ("All resolved tickets (from creation)", "all_resolved", "all"),
        ("Never escalated (from creation)", "plain_resolved", "plain"),
        ("Escalated (from creation)", "esc_resolved", "esc"),
        ("Escalated (from first escalation)", "esc_resolved", "after"),
    ]
    rows = [
        {
            "group": label,
            "tickets": timing[count],
            "median": hours(timing[f"{prefix}_median"]),
            "p90": hours(timing[f"{prefix}_p90"]),
        }
        for label, count, prefix in groups
    ]
    return Table(
        key="resolution_after_escalation",
        title="Resolution time after escalation vs overall",
        description="Median and 90th percentile hours to resolution.",
        columns=[
            Column("group", "Tickets"),
            Column("tickets", "Count", "int"),
            Column("median", "Median", "hours"),
            Column("p90", "90th percentile", "hours"),
        ],
        rows=rows,
        chart=Chart("bars", label="group", value="median", extra={"count": "tickets"}),
    )


def _by_tier(cohort: Cohort) -> Table:
    resolved, resolution, tier = cohort.tickets("resolved", "resolution_h", "tier")
    level = looked_up(tier[resolved], dict(Tier.objects.values_list("pk", "level")))
    group, keys = groups(level)
    counts = count_by(group, len(keys))
    medians = percentile_by(group, len(keys), resolution[resolved], 0.5)
    p90s = percentile_by(group, len(keys), resolution[resolved], 0.9)
    rows = [
        {
            "tier": tier_name(None if key < 0 else key),
            "tickets": int(counts[i]),
            "median": hours(medians[i]),
            "p90": hours(p90s[i]),
        }
        for i, (key,) in sorted(enumerate(keys), key=lambda item: (item[1][0] < 0, item[1][0]))
    ]
    return Table(
        key="resolution_by_tier",
        title="Time to resolution by tier",
        description="Resolved tickets by the tier that resolved them: hours from creation to resolution.",
        columns=[
            Column("tier", "Tier"),
            Column("tickets", "Resolved", "int"),
            Column("median", "Median", "hours"),
            Column("p90", "90th percentile", "hours"),
        ],
        rows=rows,
        chart=Chart("bars", label="tier", value="median", extra={"count": "tickets"}),
    )


def _week_grid(cohort: Cohort) -> tuple[Table, Table]:
    """Escalation events by weekday x hour, and hours from each escalation to its ticket's resolution."""
    cell, after = cohort.escalations("cell", "after_h")
    cells_group, cell_keys = groups(cell)
    cell_counts = count_by(cells_group, len(cell_keys))
    cell_medians = percentile_by(cells_group, len(cell_keys), after, 0.5)
    cells = [
        {
            "weekday": key // 24 + 1,
            "hour": key % 24,
            "escalations": int(cell_counts[i]),
            "median": cell_medians[i],
        }
        for i, (key,) in enumerate(cell_keys)
    ]
    day_group, day_keys = groups(cell // 24)
    day_counts = count_by(day_group, len(day_keys))
    day_medians = percentile_by(day_group, len(day_keys), after, 0.5)
    days = [
        {"weekday": key + 1, "escalations": int(day_counts[i]), "median": day_medians[i]}
        for i, (key,) in enumerate(day_keys)
    ]
    grid = Table(
        key="heatmap",
        title="Escalations by day of week and hour",
        description="Escalation events by when they happened (server time), with the median hours "
        "from the escalation to the ticket's resolution.",
        columns=[
            Column("weekday", "Day"),
            Column("hour", "Hour", "int"),
            Column("escalations", "Escalations", "int"),
            Column("median", "Median hours to resolution", "hours"),
        ],
        rows=[
            {
                "weekday": WEEKDAYS[c["weekday"] - 1],
                "hour": c["hour"],
                "escalations": c["escalations"],
                "median": hours(c["median"]),
            }
            for c in cells
        ],
        chart=Chart(
            "heatmap", label="weekday", value="escalations", extra={"column": "hour", "second": "median"}
        ),
    )
    weekdays = Table(
        key="weekdays",
        title="Resolution time of escalations by weekday",
        description="Median hours from an escalation to the ticket's resolution, by the escalation's weekday.",
        columns=[
            Column("weekday", "Day"),
            Column("escalations", "Escalations", "int"),
            Column("median", "Median hours to resolution", "hours"),
        ],
        rows=[
            {
                "weekday": WEEKDAYS[d["weekday"] - 1],
                "escalations": d["escalations"],
                "median": hours(d["median"]),
            }
            for d in days
        ],
        chart=Chart("bars", label="weekday", value="median", extra={"count": "escalations"}),
    )
    return grid, weekdays


MONTH_END_DAYS = 3  # the last days of a month, where invoicing and closing cluster
MIN_MONTH_END_TICKETS = 30


def _days_in_month(year: int, month: int) -> int:
    return ((dt.date(year + month // 12, month % 12 + 1, 1)) - dt.timedelta(days=1)).day


def _day_of_month(cohort: Cohort) -> tuple[Table, str | None]:
    """Tickets and escalation rate by the day of the month they were created; end of month vs the rest,
    tested with Fisher's exact test and stated only when significant."""
    escalations = cohort.tickets("escalation_count")
    day = cohort.day_numbers()
    size = len(cohort.days)
    tickets, escalated = count_by(day, size), count_by(day, size, escalations > 0)
    rows = [
        {"date": date, "tickets": int(tickets[i]), "escalated": int(escalated[i])}
        for i, date in enumerate(cohort.days)
        if tickets[i]
    ]
    by_day: dict[int, list[int]] = {d: [0, 0] for d in range(1, 32)}
    end = [0, 0]
    rest = [0, 0]
    for r in rows:
        date = r["date"]
        by_day[date.day][0] += r["tickets"]
        by_day[date.day][1] += r["escalated"]
        last = _days_in_month(date.year, date.month)
        bucket = end if date.day > last - MONTH_END_DAYS else rest
        bucket[0] += r["tickets"]
        bucket[1] += r["escalated"]
    table = Table(
        key="day_of_month",
        title="Escalation rate by day of the month",
        description=f"Tickets by the day of the month they were created; the share escalated. The last "
        f"{MONTH_END_DAYS} days of each month are compared with the rest (Fisher's exact test).",
        columns=[
            Column("day", "Day of month", "int"),
            Column("tickets", "Tickets", "int"),
            Column("escalation_rate", "Escalation rate", "rate"),
        ],
        rows=[{"day": d, "tickets": t, "escalation_rate": rate(e, t)} for d, (t, e) in by_day.items() if t],
        chart=Chart("columns", label="day", value="escalation_rate"),
    )
    line = None
    if end[0] >= MIN_MONTH_END_TICKETS and rest[0] >= MIN_MONTH_END_TICKETS:
        _, p = fisher_exact([[end[1], end[0] - end[1]], [rest[1], rest[0] - rest[1]]])
        if p < 0.05:
            line = (
                f"At month end (last {MONTH_END_DAYS} days) {rate(end[1], end[0]):.0%} of tickets escalate vs "
                f"{rate(rest[1], rest[0]):.0%} on other days (Fisher's exact test p = {p:.3f})."
            )
    return table, line


def slow_weekday(weekdays: Table) -> str | None:
    """'Friday escalations take 2.1× as long to resolve as the other days' (median of the others)."""
    medians = [(r["weekday"], r["median"]) for r in weekdays.rows if r["median"] is not None]
    if len(medians) < 2:
        return None
    day, slowest = max(medians, key=lambda item: item[1])
    middle = statistics.median(m for d, m in medians if d != day)
    if not middle or slowest / middle < SLOW_DAY_RATIO:
        return None
    return f"{day} escalations take {slowest / middle:.1f}× as long to resolve as a typical other day."


def timing_report(filters: Filters) -> Report:
    cohort = Cohort.of(filters)
    timing = {**_escalation_timing(cohort), **_resolution_timing(cohort)}
    grid, weekdays = _week_grid(cohort)
    month_days, month_end = _day_of_month(cohort)
    report = Report(page="timing", title="Timing")
    report.stats = [
        Stat("escalated", "Escalated tickets", timing["escalated"]),
        Stat("median_time_to_escalation", "Median time to escalation", hours(timing["tte_median"]), "hours"),
        Stat("p90_time_to_escalation", "90th percentile", hours(timing["tte_p90"]), "hours"),
        Stat(
            "median_after_escalation",
            "Median resolution after escalation",
            hours(timing["after_median"]),
            "hours",
        ),
        Stat("median_resolution", "Median resolution, all tickets", hours(timing["all_median"]), "hours"),
    ]
    report.tables = [
        _histogram(timing),
        _resolution_comparison(timing),
        _by_tier(cohort),
        grid,
        weekdays,
        month_days,
    ]
    if month_end:
        report.highlights.append(month_end)
    slow = slow_weekday(weekdays)
    if slow:
        report.highlights.append(slow)
    return report
