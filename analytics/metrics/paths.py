"""Paths: where escalations go (from team/tier to team/tier), how often each path leads to another
escalation, tickets bouncing back to a team that already had them, misrouting (escalations to a team
whose tickets end up elsewhere or belong to another team's category), and abandoned tickets."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q

from analytics.filters import ESCALATION_CODES, Filters, cohort, cohort_events, escalation_events
from analytics.metrics.common import ESCALATED, later_escalation, tier_name
from analytics.report import Chart, Column, Report, Stat, Table, rate
from helpdesk.models import TicketEvent

RECENT_EXAMPLES = 15
FLOW_PATHS = 12


def place(team: str | None, level: int | None) -> str:
    return f"{team or '(no team)'} {tier_name(level)}"


def _paths(filters: Filters) -> Table:
    groups = (
        escalation_events(filters)
        .values(
            src_team=F("from_team__name"),
            src_level=F("from_tier__level"),
            dst_team=F("to_team__name"),
            dst_level=F("to_tier__level"),
        )
        .annotate(
            escalations=Count("pk"),
            tickets=Count("ticket", distinct=True),
            re_escalated=Count("pk", filter=Q(later_escalation())),
        )
        .order_by("-escalations", "src_team", "src_level", "dst_team", "dst_level")
    )
    rows = [
        {
            "source": place(g["src_team"], g["src_level"]),
            "target": place(g["dst_team"], g["dst_level"]),
            "path": f"{place(g['src_team'], g['src_level'])} → {place(g['dst_team'], g['dst_level'])}",
            "escalations": g["escalations"],
            "tickets": g["tickets"],
            "re_escalated": g["re_escalated"],
            "re_escalation_rate": rate(g["re_escalated"], g["escalations"]),
        }
        for g in groups
    ]
    return Table(
        key="paths",
        title="Escalation paths",
        description="Each escalation event as a move from team and tier to team and tier; re-escalated "
        "means the same ticket was escalated again afterwards.",
        columns=[
            Column("path", "Path"),
            Column("escalations", "Escalations", "int"),
            Column("tickets", "Tickets", "int"),
            Column("re_escalated", "Escalated again", "int"),
            Column("re_escalation_rate", "Re-escalation rate", "rate"),
        ],
        rows=rows,
        chart=Chart(
            "flow", label="source", value="escalations", extra={"target": "target", "limit": FLOW_PATHS}
        ),
        show_table=True,
    )


def returns_to_team_it_left() -> Exists:
    """For an escalation event (outer query): an earlier team change moved this ticket away from the
    team this event now sends it to."""
    earlier = Q(created_at__lt=OuterRef("created_at")) | Q(
        created_at=OuterRef("created_at"), pk__lt=OuterRef("pk")
    )
    return Exists(
        TicketEvent.objects.filter(
            earlier,
            ticket_id=OuterRef("ticket_id"),
            code__in=ESCALATION_CODES,
            from_team=OuterRef("to_team"),
        ).exclude(to_team=F("from_team"))
    )


def ping_pong_events(filters: Filters):
    return escalation_events(filters).exclude(to_team=F("from_team")).filter(returns_to_team_it_left())


def _ping_pong(filters: Filters) -> tuple[Table, Table, int]:
    events = ping_pong_events(filters)
    groups = (
        events.values(src=F("from_team__name"), dst=F("to_team__name"))
        .annotate(occurrences=Count("pk"), tickets=Count("ticket", distinct=True))
        .order_by("-occurrences", "src", "dst")
    )
    pairs = Table(
        key="ping_pong",
        title="Ping-pong: tickets sent back to a team that had already passed them on",
        description="Team changes that return a ticket to a team it had left by an earlier escalation.",
        columns=[
            Column("bounce", "Back to"),
            Column("occurrences", "Occurrences", "int"),
            Column("tickets", "Tickets", "int"),
        ],
        rows=[
            {"bounce": f"{g['src']} → {g['dst']}", "occurrences": g["occurrences"], "tickets": g["tickets"]}
            for g in groups
        ],
        chart=Chart("bars", label="bounce", value="occurrences"),
    )
    recent = events.order_by("-created_at", "-pk").values(
        "ticket_id",
        "created_at",
        subject=F("ticket__subject"),
        src=F("from_team__name"),
        dst=F("to_team__name"),
    )[:RECENT_EXAMPLES]
    examples = Table(
        key="ping_pong_recent",
        title="Latest ping-pong tickets",
        columns=[
            Column("ticket_id", "Ticket", "ticket"),
            Column("subject", "Subject"),
            Column("bounce", "Sent back"),
            Column("created_at", "When", "datetime"),
        ],
        rows=[
            {
                "ticket_id": e["ticket_id"],
                "subject": e["subject"],
                "bounce": f"{e['src']} → {e['dst']}",
                "created_at": e["created_at"],
            }
            for e in recent
        ],
    )
    ping_pong_tickets = events.values("ticket_id").distinct().count()
    return pairs, examples, ping_pong_tickets


def _abandoned(filters: Filters, by: str, path: str) -> Table:
    totals = {
        g["key"]: g["tickets"] for g in cohort(filters).values(key=F(path)).annotate(tickets=Count("pk"))
    }
    abandoned = {
        g["key"]: g["tickets"]
        for g in cohort_events(filters, "sla.abandoned")
        .values(key=F(f"ticket__{path}"))
        .annotate(tickets=Count("ticket", distinct=True))
    }
    rows = [
        {
            "name": key if key is not None else "(none)",
            "tickets": totals.get(key, 0),
            "abandoned": count,
            "rate": rate(count, totals.get(key, 0)),
        }
        for key, count in sorted(abandoned.items(), key=lambda item: (-item[1], str(item[0])))
    ]
    return Table(
        key=f"abandoned_by_{by}",
        title=f"Abandoned tickets by {by}",
        description="Tickets the SLA sweep found untouched in a queue (sla.abandoned), out of the "
        f"tickets now in each {by}.",
        columns=[
            Column("name", by.capitalize()),
            Column("tickets", "Tickets", "int"),
            Column("abandoned", "Abandoned", "int"),
            Column("rate", "Rate", "rate"),
        ],
        rows=rows,
        chart=Chart("bars", label="name", value="rate", extra={"count": "abandoned"}),
    )


MISROUTED_EXAMPLES = 15


def _misrouting(filters: Filters) -> tuple[Table, Table, list[str]]:
    """For each team that received functional escalations: the share of them that were misrouted — the
    ticket's final team differs from the one it was escalated to, or its final category belongs to another
    team — and which final category they mostly were."""
    functional = escalation_events(filters).filter(code="escalation.functional", to_team__isnull=False)
    misrouted = ~Q(ticket__team_id=F("to_team_id")) | (
        Q(ticket__category__team__isnull=False) & ~Q(ticket__category__team_id=F("to_team_id"))
    )
    totals = {
        r["to_team__name"]: r["escalations"]
        for r in functional.values("to_team__name").annotate(escalations=Count("pk"))
    }
    by_category: dict[str, list[tuple[str, int]]] = {}
    for r in (
        functional.filter(misrouted)
        .values("to_team__name", "ticket__category__name")
        .annotate(n=Count("pk"))
        .order_by("to_team__name", "-n")
    ):
        by_category.setdefault(r["to_team__name"], []).append(
            (r["ticket__category__name"] or "(none)", r["n"])
        )
    rows = []
    for team, total in sorted(totals.items()):
        wrong = sum(n for _, n in by_category.get(team, []))
        top, top_n = (by_category.get(team) or [("", 0)])[0]
        rows.append(
            {
                "team": team,
                "escalations": total,
                "misrouted": wrong,
                "share": rate(wrong, total),
                "top_category": top,
                "top_share": rate(top_n, total),
            }
        )
    rows.sort(key=lambda r: (-(r["share"] or 0), r["team"]))
    table = Table(
        key="misrouting",
        title="Misrouted escalations by receiving team",
        description="Functional escalations to a team whose ticket ended with another team, or whose final "
        "category belongs to another team. Shares share one 0–100 % scale.",
        columns=[
            Column("team", "Escalated to"),
            Column("escalations", "Escalations", "int"),
            Column("misrouted", "Misrouted", "int"),
            Column("share", "Misrouted share", "rate"),
            Column("top_category", "Mostly (final category)"),
            Column("top_share", "Share of all escalations to the team", "rate"),
        ],
        rows=rows,
        chart=Chart("bars", label="team", value="share", extra={"count": "escalations"}),
        show_table=True,
    )
    recent = (
        functional.filter(misrouted)
        .order_by("-created_at", "-pk")
        .values(
            "ticket_id",
            "ticket__subject",
            "to_team__name",
            "ticket__team__name",
            "ticket__category__name",
            "created_at",
        )[:MISROUTED_EXAMPLES]
    )
    examples = Table(
        key="misrouting_examples",
        title="Latest misrouted escalations",
        columns=[
            Column("ticket_id", "Ticket", "ticket"),
            Column("subject", "Subject"),
            Column("sent_to", "Escalated to"),
            Column("ended", "Ended with"),
            Column("category", "Final category"),
            Column("created_at", "When", "datetime"),
        ],
        rows=[
            {
                "ticket_id": e["ticket_id"],
                "subject": e["ticket__subject"],
                "sent_to": e["to_team__name"],
                "ended": e["ticket__team__name"] or "(no team)",
                "category": e["ticket__category__name"] or "(none)",
                "created_at": e["created_at"],
            }
            for e in recent
        ],
    )
    highlights = [
        f"{r['top_share']:.0%} of escalations to {r['team']} are {r['top_category']} tickets that belong elsewhere "
        f"({r['misrouted']} of {r['escalations']} misrouted)."
        for r in rows
        if r["escalations"] >= 20 and (r["top_share"] or 0) >= 0.2
    ]
    return table, examples, highlights


def _counts(filters: Filters) -> dict[str, Any]:
    escalated = cohort(filters).filter(ESCALATED).count()
    blocked = cohort_events(filters, "routing.circular_blocked").values("ticket_id").distinct().count()
    return {"escalated": escalated, "blocked": blocked}


def paths_report(filters: Filters) -> Report:
    paths = _paths(filters)
    pairs, examples, ping_pong_tickets = _ping_pong(filters)
    counts = _counts(filters)
    repeated = sum(r["re_escalated"] for r in paths.rows)
    escalations = sum(r["escalations"] for r in paths.rows)
    report = Report(page="paths", title="Escalation paths")
    report.stats = [
        Stat("escalations", "Escalations", escalations),
        Stat("re_escalation_rate", "Re-escalation rate", rate(repeated, escalations), "rate"),
        Stat("ping_pong_tickets", "Ping-pong tickets", ping_pong_tickets),
        Stat(
            "ping_pong_rate",
            "Ping-pong rate (of escalated)",
            rate(ping_pong_tickets, counts["escalated"]),
            "rate",
        ),
        Stat("circular_blocked", "Bounces stopped by routing", counts["blocked"]),
    ]
    misrouting, misrouting_examples, misrouting_lines = _misrouting(filters)
    report.highlights += misrouting_lines
    report.tables = [
        paths,
        misrouting,
        misrouting_examples,
        pairs,
        examples,
        _abandoned(filters, "team", "team__name"),
        _abandoned(filters, "category", "category__name"),
    ]
    return report
