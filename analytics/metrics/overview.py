"""Overview: volume, escalation rate and its weekly trend, SLA breaches, response and resolution
times, CSAT, and how resolved tickets were handled (autonomously, reviewed, by people)."""

from __future__ import annotations

import datetime as dt

import numpy as np

from analytics.facts.cohort import Cohort
from analytics.facts.numbers import count_by, groups, median
from analytics.filters import Filters
from analytics.metrics.common import sum_by, total
from analytics.report import Chart, Column, Report, Stat, Table, hours, rate
from helpdesk.models import Autonomy

AUTONOMY_LABELS = {**dict(Autonomy.choices), None: "Not decided"}


# What the weekly table and the handling table count, per (week, autonomy, resolved) group.
COUNTS = ("tickets", "escalated", "breached", "rated", "satisfied", "score_sum")


def overview_report(filters: Filters) -> Report:
    cohort = Cohort.of(filters)
    groups = _week_groups(cohort)
    totals = total(groups, COUNTS)
    totals["resolved"] = sum(g["tickets"] for g in groups if g["resolved"])
    # Medians cannot be summed from groups: taken over the cohort's tickets.
    first_response, resolution = cohort.tickets("first_response_h", "resolution_h")
    totals["first_response"] = median(first_response)
    totals["resolution"] = median(resolution)
    average = totals["score_sum"] / totals["rated"] if totals["rated"] else None
    report = Report(page="overview", title="Overview")
    report.stats = [
        Stat("tickets", "Tickets", totals["tickets"]),
        Stat("escalation_rate", "Escalation rate", rate(totals["escalated"], totals["tickets"]), "rate"),
        Stat("sla_breach_rate", "SLA breach rate", rate(totals["breached"], totals["tickets"]), "rate"),
        Stat("median_first_response", "Median first response", hours(totals["first_response"]), "hours"),
        Stat("median_resolution", "Median resolution time", hours(totals["resolution"]), "hours"),
        Stat("csat", "CSAT (4-5 of 5)", rate(totals["satisfied"], totals["rated"]), "rate"),
        Stat("csat_average", "Average rating", None if average is None else round(average, 4), "number"),
        Stat("escalated", "Escalated tickets", totals["escalated"]),
        Stat("resolved", "Resolved tickets", totals["resolved"]),
    ]
    report.tables = [_weekly_trend(groups), _handling(groups, totals["resolved"])]
    return report


def _week_groups(cohort: Cohort) -> list[dict]:
    """The range's tickets counted per (week, autonomy, resolved or not), with their ratings: the
    weekly table, the handling table and every count of the headline are sums over these groups, as
    each ticket is in exactly one."""
    escalations, breached, csat, resolved, autonomy = cohort.tickets(
        "escalation_count", "breached", "csat", "resolved", "autonomy"
    )
    words = cohort.words("ticket", "autonomy")
    # Weeks start on Monday, as the database's week truncation has them.
    mondays = [day - dt.timedelta(days=day.weekday()) for day in cohort.days]
    weeks = sorted(set(mondays))
    week_of_day = np.array([weeks.index(monday) for monday in mondays], dtype=np.int64)
    week = week_of_day[cohort.day_numbers()] if len(week_of_day) else np.zeros(0, dtype=np.int64)
    group, keys = groups(week, autonomy, resolved)
    size = len(keys)
    rated = csat > 0
    measures = {
        "tickets": count_by(group, size),
        "escalated": count_by(group, size, escalations > 0),
        "breached": count_by(group, size, breached),
        "rated": count_by(group, size, rated),
        "satisfied": count_by(group, size, csat >= 4),
        "score_sum": np.bincount(group, weights=csat.astype(np.int64), minlength=size).astype(np.int64),
    }
    return [
        {
            "week": weeks[w],
            "autonomy": None if code < 0 else words[code],
            "resolved": bool(is_resolved),
            **{name: int(values[i]) for name, values in measures.items()},
        }
        for i, (w, code, is_resolved) in enumerate(keys)
    ]


def _weekly_trend(groups: list[dict]) -> Table:
    weeks = sum_by(groups, lambda g: g["week"], ("tickets", "escalated", "breached"))
    rows = [
        {
            "week": week,
            "tickets": counts["tickets"],
            "escalated": counts["escalated"],
            "escalation_rate": rate(counts["escalated"], counts["tickets"]),
            "sla_breach_rate": rate(counts["breached"], counts["tickets"]),
        }
        for week, counts in sorted(weeks.items())
    ]
    return Table(
        key="weekly",
        title="Escalation rate by week",
        description="Tickets created each week (weeks start on Monday) and the share of them escalated.",
        columns=[
            Column("week", "Week of", "date"),
            Column("tickets", "Tickets", "int"),
            Column("escalated", "Escalated", "int"),
            Column("escalation_rate", "Escalation rate", "rate"),
            Column("sla_breach_rate", "SLA breach rate", "rate"),
        ],
        rows=rows,
        chart=Chart("trend", label="week", value="escalation_rate", extra={"volume": "tickets"}),
    )


def _handling(groups: list[dict], resolved: int) -> Table:
    counts = sum_by((g for g in groups if g["resolved"]), lambda g: g["autonomy"], ["tickets"])
    by_value = {autonomy: c["tickets"] for autonomy, c in counts.items()}
    order = [*Autonomy.values, None]
    rows = [
        {
            "autonomy": AUTONOMY_LABELS[value],
            "tickets": by_value[value],
            "share": rate(by_value[value], resolved),
        }
        for value in order
        if by_value.get(value)
    ]
    return Table(
        key="handling",
        title="How resolved tickets were handled",
        description="Resolved tickets by the autonomy decision: answered automatically, "
        "drafted for review, or handled by people.",
        columns=[
            Column("autonomy", "Handling"),
            Column("tickets", "Resolved tickets", "int"),
            Column("share", "Share", "rate"),
        ],
        rows=rows,
        chart=Chart("bars", label="autonomy", value="share"),
    )
