"""Paths: where escalations go (from team/tier to team/tier), how often each path leads to another
escalation, tickets bouncing back to a team that already had them, misrouting (escalations to a team
whose tickets end up elsewhere or belong to another team's category), and abandoned tickets.

Computed from the day facts of the cohort's tickets and their escalations; the names of teams,
categories and tiers, each category's team and the subjects of the example tickets are read live."""

from __future__ import annotations

from typing import Any

import numpy as np

from analytics.facts.cohort import Cohort
from analytics.facts.columns import NONE
from analytics.facts.numbers import count_by, distinct_by, groups, latest, looked_up, moment
from analytics.filters import Filters
from analytics.metrics.common import tier_name
from analytics.report import Chart, Column, Report, Stat, Table, rate
from helpdesk.models import Category, Team, Ticket, Tier

RECENT_EXAMPLES = 15
MISROUTED_EXAMPLES = 15
FLOW_PATHS = 12
# The facts the page reads, fetched in one query.
TICKET_COLUMNS = ("id", "team", "category", "escalation_count", "abandoned", "blocked")
ESCALATION_COLUMNS = (
    "ticket",
    "id",
    "at_us",
    "hierarchical",
    "from_team",
    "to_team",
    "from_tier",
    "to_tier",
    "later",
    "returns",
)


def place(team: str | None, level: int | None) -> str:
    return f"{team or '(no team)'} {tier_name(level)}"


def _none_last(value: Any) -> tuple[bool, Any]:
    """A sort key putting "none" (no team, no tier, no category) after every value."""
    return (value is None, 0 if value is None else value)


def _paths(cohort: Cohort, teams: dict[int, str]) -> Table:
    ticket, later, src_team, src_tier, dst_team, dst_tier = cohort.escalations(
        "ticket", "later", "from_team", "from_tier", "to_team", "to_tier"
    )
    levels = dict(Tier.objects.values_list("pk", "level"))
    group, keys = groups(src_team, src_tier, dst_team, dst_tier)
    escalations = count_by(group, len(keys))
    tickets = distinct_by(group, len(keys), ticket)
    re_escalated = count_by(group, len(keys), later)
    found = []
    for i, (from_team, from_tier, to_team, to_tier) in enumerate(keys):
        source = (teams.get(from_team), levels.get(from_tier))
        target = (teams.get(to_team), levels.get(to_tier))
        found.append((int(escalations[i]), int(tickets[i]), int(re_escalated[i]), source, target))
    # The busiest paths first, then by source team and tier, target team and tier.
    found.sort(key=lambda g: (-g[0], [_none_last(value) for value in (*g[3], *g[4])]))
    rows = [
        {
            "source": place(*source),
            "target": place(*target),
            "path": f"{place(*source)} → {place(*target)}",
            "escalations": count,
            "tickets": distinct,
            "re_escalated": again,
            "re_escalation_rate": rate(again, count),
        }
        for count, distinct, again, source, target in found
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


def _subjects(ticket_ids: list[int]) -> dict[int, str]:
    return dict(Ticket.objects.filter(pk__in=ticket_ids).values_list("pk", "subject"))


def _ping_pong(cohort: Cohort, teams: dict[int, str]) -> tuple[Table, Table, int]:
    """Team changes that send a ticket back to a team it had left by an earlier escalation."""
    ticket, returns, event, at, src_team, dst_team = cohort.escalations(
        "ticket", "returns", "id", "at_us", "from_team", "to_team"
    )
    ticket, event, at, src_team, dst_team = (c[returns] for c in (ticket, event, at, src_team, dst_team))
    group, keys = groups(src_team, dst_team)
    occurrences = count_by(group, len(keys))
    tickets = distinct_by(group, len(keys), ticket)
    bounces = sorted(
        (
            (int(occurrences[i]), int(tickets[i]), teams.get(src), teams.get(dst))
            for i, (src, dst) in enumerate(keys)
        ),
        key=lambda g: (-g[0], _none_last(g[2]), _none_last(g[3])),
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
            {"bounce": f"{src} → {dst}", "occurrences": count, "tickets": distinct}
            for count, distinct, src, dst in bounces
        ],
        chart=Chart("bars", label="bounce", value="occurrences"),
    )
    recent = latest(at, event, RECENT_EXAMPLES)
    ticket_ids = cohort.tickets("id", of=ticket[recent]).tolist()
    subjects = _subjects(ticket_ids)
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
                "ticket_id": ticket_id,
                "subject": subjects.get(ticket_id),
                "bounce": f"{teams.get(src)} → {teams.get(dst)}",
                "created_at": moment(when),
            }
            for ticket_id, src, dst, when in zip(
                ticket_ids,
                src_team[recent].tolist(),
                dst_team[recent].tolist(),
                at[recent].tolist(),
                strict=True,
            )
        ],
    )
    return pairs, examples, len(np.unique(ticket))


def _abandoned(cohort: Cohort, by: str, places: np.ndarray, names: dict[int, str]) -> Table:
    """Tickets flagged abandoned (an sla.abandoned event, however many) per the team or category they
    are in now, out of all the cohort's tickets there; only places with abandoned tickets are listed."""
    group, keys = groups(places)
    totals = count_by(group, len(keys))
    abandoned = count_by(group, len(keys), cohort.tickets("abandoned"))
    counts = [
        (names.get(key), int(totals[i]), int(abandoned[i])) for i, (key,) in enumerate(keys) if abandoned[i]
    ]
    rows = [
        {
            "name": name if name is not None else "(none)",
            "tickets": tickets,
            "abandoned": count,
            "rate": rate(count, tickets),
        }
        for name, tickets, count in sorted(counts, key=lambda c: (-c[2], str(c[0])))
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


def _misrouting(
    cohort: Cohort, teams: dict[int, str], category_names: dict[int, str], category_teams: dict[int, int]
) -> tuple[Table, Table, list[str]]:
    """For each team that received functional escalations: the share of them that were misrouted — the
    ticket's final team differs from the one it was escalated to, or its final category belongs to another
    team — and which final category they mostly were."""
    ticket, hierarchical, event, at, to_team = cohort.escalations(
        "ticket", "hierarchical", "id", "at_us", "to_team"
    )
    functional = ~hierarchical & (to_team != NONE)
    ticket, event, at, to_team = (c[functional] for c in (ticket, event, at, to_team))
    ended, category = cohort.tickets("team", "category", of=ticket)
    category_team = looked_up(category, category_teams)
    # A ticket that ended with no team ended with another team than the one it was escalated to.
    misrouted = (ended != to_team) | ((category_team != NONE) & (category_team != to_team))

    group, keys = groups(to_team)
    totals = count_by(group, len(keys))
    wrong = count_by(group, len(keys), misrouted)
    # Each team's misrouted escalations by final category: the most frequent one (the first by name
    # among equally frequent ones, no category last).
    pair, pair_keys = groups(to_team[misrouted], category[misrouted])
    by_category = [
        (team, category_names.get(category_id), n)
        for (team, category_id), n in zip(pair_keys, count_by(pair, len(pair_keys)).tolist(), strict=True)
    ]
    top: dict[int, tuple[str, int]] = {}
    for team, name, n in sorted(by_category, key=lambda c: (-c[2], _none_last(c[1]))):
        top.setdefault(team, (name or "(none)", n))
    rows = []
    for i, (team,) in enumerate(keys):
        total = int(totals[i])
        top_category, top_n = top.get(team, ("", 0))
        rows.append(
            {
                "team": teams.get(team),
                "escalations": total,
                "misrouted": int(wrong[i]),
                "share": rate(int(wrong[i]), total),
                "top_category": top_category,
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
    recent = np.flatnonzero(misrouted)[latest(at[misrouted], event[misrouted], MISROUTED_EXAMPLES)]
    ticket_ids = cohort.tickets("id", of=ticket[recent]).tolist()
    subjects = _subjects(ticket_ids)
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
                "ticket_id": ticket_id,
                "subject": subjects.get(ticket_id),
                "sent_to": teams.get(sent_to),
                "ended": teams.get(team) or "(no team)",
                "category": category_names.get(category_id) or "(none)",
                "created_at": moment(when),
            }
            for ticket_id, sent_to, team, category_id, when in zip(
                ticket_ids,
                to_team[recent].tolist(),
                ended[recent].tolist(),
                category[recent].tolist(),
                at[recent].tolist(),
                strict=True,
            )
        ],
    )
    highlights = [
        f"{r['top_share']:.0%} of escalations to {r['team']} are {r['top_category']} tickets that belong elsewhere "
        f"({r['misrouted']} of {r['escalations']} misrouted)."
        for r in rows
        if r["escalations"] >= 20 and (r["top_share"] or 0) >= 0.2
    ]
    return table, examples, highlights


def paths_report(filters: Filters) -> Report:
    cohort = Cohort.of(filters)
    cohort.load(
        *(f"ticket.{name}" for name in TICKET_COLUMNS), *(f"escalation.{name}" for name in ESCALATION_COLUMNS)
    )
    teams = dict(Team.objects.values_list("pk", "name"))
    categories = list(Category.objects.values_list("pk", "name", "team_id"))
    category_names = {pk: name for pk, name, _ in categories}
    category_teams = {pk: team for pk, _, team in categories if team is not None}
    paths = _paths(cohort, teams)
    pairs, examples, ping_pong_tickets = _ping_pong(cohort, teams)
    escalated = int((cohort.tickets("escalation_count") > 0).sum())
    repeated = sum(r["re_escalated"] for r in paths.rows)
    escalations = sum(r["escalations"] for r in paths.rows)
    report = Report(page="paths", title="Escalation paths")
    report.stats = [
        Stat("escalations", "Escalations", escalations),
        Stat("re_escalation_rate", "Re-escalation rate", rate(repeated, escalations), "rate"),
        Stat("ping_pong_tickets", "Ping-pong tickets", ping_pong_tickets),
        Stat("ping_pong_rate", "Ping-pong rate (of escalated)", rate(ping_pong_tickets, escalated), "rate"),
        Stat("circular_blocked", "Bounces stopped by routing", int(cohort.tickets("blocked").sum())),
    ]
    misrouting, misrouting_examples, misrouting_lines = _misrouting(
        cohort, teams, category_names, category_teams
    )
    report.highlights += misrouting_lines
    team, category = cohort.tickets("team", "category")
    report.tables = [
        paths,
        misrouting,
        misrouting_examples,
        pairs,
        examples,
        _abandoned(cohort, "team", team, teams),
        _abandoned(cohort, "category", category, category_names),
    ]
    return report
