"""Coverage gaps: tickets and minutes spent waiting with no eligible agent at all (nobody in the team
and tier was available, working, skilled and free), by team, tier and hour of the week (UTC), from the
gaps routing records (escalation.coverage). The team and tier filters apply; gaps still open count up to
now. Where the bars are long, put someone on call (admin: On-call duty) or widen working hours."""

from __future__ import annotations

from collections import defaultdict

from django.utils import timezone

from analytics.filters import Filters
from analytics.report import Chart, Column, Report, Stat, Table
from escalation.coverage.gaps import coverage_gaps
from escalation.coverage.models import CoverageGap
from helpdesk.models import Team, Tier

WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def coverage_report(filters: Filters) -> Report:
    now = timezone.now()
    rows = coverage_gaps(since=filters.start, until=filters.end, now=now)
    if filters.team:
        rows = [r for r in rows if r.team == filters.team.name]
    if filters.tier:
        rows = [r for r in rows if r.tier == filters.tier.level]
    by_queue: dict[tuple[str, int | None], dict] = defaultdict(lambda: {"tickets": 0, "minutes": 0.0})
    by_hour: dict[tuple[str, int], dict] = defaultdict(lambda: {"tickets": 0, "minutes": 0.0})
    # Every queue in view is listed, a fully covered one at zero: the chart then shows which queues
    # were covered throughout, not nothing at all.
    teams = [filters.team] if filters.team else Team.objects.filter(is_active=True).order_by("name")
    tiers = [filters.tier] if filters.tier else list(Tier.objects.order_by("level"))
    for team in teams:
        for tier in tiers:
            by_queue[(team.name, tier.level)] = {"tickets": 0, "minutes": 0.0}
    for row in rows:
        queue = by_queue[(row.team, row.tier)]
        queue["tickets"] += row.tickets
        queue["minutes"] += row.minutes
        cell = by_hour[(WEEKDAYS[row.hour_of_week // 24], row.hour_of_week % 24)]
        cell["tickets"] += row.tickets
        cell["minutes"] += row.minutes
    open_now = CoverageGap.objects.filter(ended_at=None).count()
    queues = Table(
        key="queues",
        title="Waiting with no eligible agent, by team and tier",
        description="Minutes tickets waited while nobody in their team and tier could take them.",
        columns=[
            Column("queue", "Team / tier"),
            Column("tickets", "Tickets", "int"),
            Column("minutes", "Minutes uncovered", "int"),
        ],
        rows=sorted(
            (
                {"queue": f"{team} L{tier or '?'}", "tickets": v["tickets"], "minutes": round(v["minutes"])}
                for (team, tier), v in by_queue.items()
            ),
            key=lambda r: (-r["minutes"], -r["tickets"], r["queue"]),
        ),
        chart=Chart("bars", label="queue", value="minutes"),
        show_table=True,
    )
    grid = Table(
        key="hours",
        title="Uncovered by day of week and hour (UTC)",
        description="When gaps began: tickets, and the minutes they stayed uncovered.",
        columns=[
            Column("weekday", "Day"),
            Column("hour", "Hour", "int"),
            Column("tickets", "Tickets", "int"),
            Column("minutes", "Minutes uncovered", "int"),
        ],
        rows=[
            {"weekday": day, "hour": hour, "tickets": v["tickets"], "minutes": round(v["minutes"])}
            for (day, hour), v in sorted(by_hour.items(), key=lambda kv: (WEEKDAYS.index(kv[0][0]), kv[0][1]))
        ],
        chart=Chart(
            "heatmap", label="weekday", value="tickets", extra={"column": "hour", "second": "minutes"}
        ),
    )
    total_minutes = sum(r.minutes for r in rows)
    worst = queues.rows[0]["queue"] if queues.rows and queues.rows[0]["minutes"] else ""
    return Report(
        page="coverage",
        title="Coverage gaps",
        stats=[
            Stat("uncovered_tickets", "Tickets with a gap", sum(r.tickets for r in rows)),
            Stat("uncovered_minutes", "Minutes uncovered", round(total_minutes)),
            Stat("open_now", "Uncovered right now", open_now),
        ],
        tables=[queues, grid],
        highlights=[f"Longest uncovered queue: {worst}."] if worst else [],
        notes=[
            "A gap is time a ticket waited while every agent of its team and tier was excluded (away, "
            "offline, outside working hours, on leave, missing a required skill or language, at capacity).",
            "Leads are alerted after RoutingConfig.no_agent_alert_minutes; on-call agents and urgent skill "
            "relaxing close gaps for urgent tickets.",
        ],
    )
