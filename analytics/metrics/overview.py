"""Overview: volume, escalation rate and its weekly trend, SLA breaches, response and resolution
times, CSAT, and how resolved tickets were handled (autonomously, reviewed, by people)."""

from __future__ import annotations

from django.db.models import Avg, Count, Q
from django.db.models.functions import TruncWeek

from analytics.db import HoursBetween, Median
from analytics.filters import Filters, cohort
from analytics.metrics.common import ESCALATED, RESOLVED, SATISFIED
from analytics.report import Chart, Column, Report, Stat, Table, hours, rate
from helpdesk.models import Autonomy

AUTONOMY_LABELS = {**dict(Autonomy.choices), None: "Not decided"}


def overview_report(filters: Filters) -> Report:
    tickets = cohort(filters)
    totals = tickets.aggregate(
        tickets=Count("pk"),
        escalated=Count("pk", filter=ESCALATED),
        breached=Count("pk", filter=Q(sla_breached=True)),
        first_response=Median(HoursBetween("first_response_at", "created_at")),
        resolved=Count("pk", filter=RESOLVED),
        resolution=Median(HoursBetween("resolved_at", "created_at")),
        rated=Count("csat"),
        satisfied=Count("csat", filter=SATISFIED),
        csat_average=Avg("csat__score"),
    )
    report = Report(page="overview", title="Overview")
    report.stats = [
        Stat("tickets", "Tickets", totals["tickets"]),
        Stat("escalation_rate", "Escalation rate", rate(totals["escalated"], totals["tickets"]), "rate"),
        Stat("sla_breach_rate", "SLA breach rate", rate(totals["breached"], totals["tickets"]), "rate"),
        Stat("median_first_response", "Median first response", hours(totals["first_response"]), "hours"),
        Stat("median_resolution", "Median resolution time", hours(totals["resolution"]), "hours"),
        Stat("csat", "CSAT (4-5 of 5)", rate(totals["satisfied"], totals["rated"]), "rate"),
        Stat(
            "csat_average",
            "Average rating",
            None if totals["csat_average"] is None else round(totals["csat_average"], 4),
            "number",
        ),
        Stat("escalated", "Escalated tickets", totals["escalated"]),
        Stat("resolved", "Resolved tickets", totals["resolved"]),
    ]
    report.tables = [_weekly_trend(tickets), _handling(tickets, totals["resolved"])]
    return report


def _weekly_trend(tickets) -> Table:
    weeks = (
        tickets.annotate(week=TruncWeek("created_at"))
        .values("week")
        .annotate(
            tickets=Count("pk"),
            escalated=Count("pk", filter=ESCALATED),
            breached=Count("pk", filter=Q(sla_breached=True)),
        )
        .order_by("week")
    )
    rows = [
        {
            "week": row["week"].date(),
            "tickets": row["tickets"],
            "escalated": row["escalated"],
            "escalation_rate": rate(row["escalated"], row["tickets"]),
            "sla_breach_rate": rate(row["breached"], row["tickets"]),
        }
        for row in weeks
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


def _handling(tickets, resolved: int) -> Table:
    counts = tickets.filter(RESOLVED).values("autonomy").annotate(tickets=Count("pk")).order_by("autonomy")
    by_value = {row["autonomy"]: row["tickets"] for row in counts}
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
