"""Escalation rate by dimension: team, tier, tier transition, automation -> human, category, segment,
agent, channel, and what triggered the escalations.

Team, tier and agent are places a ticket passes through, so their rate is "tickets escalated away from
X / tickets X handled"; category, segment and channel are facts of the ticket, so their rate is
"escalated tickets / tickets". docs/metrics.md has the exact definitions.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Sum

from analytics.filters import Filters, cohort, cohort_events
from analytics.metrics.common import ESCALATED, sum_by, tier_name, total
from analytics.metrics.escalation_groups import escalation_groups
from analytics.metrics.training import agent_category_counts
from analytics.report import Chart, Column, Report, Stat, Table, rate
from helpdesk.models import Autonomy, Category, Channel, Segment, Team, Tier, Trigger

DIMENSIONS = {
    "team": "Team",
    "tier": "Tier",
    "category": "Category",
    "segment": "Segment",
    "agent": "Agent",
    "channel": "Channel",
}


def _category_names() -> dict[Any, str]:
    return dict(Category.objects.values_list("pk", "name"))


def _team_names() -> dict[Any, str]:
    return dict(Team.objects.values_list("pk", "name"))


def _tier_levels() -> dict[Any, int]:
    return dict(Tier.objects.values_list("pk", "level"))


# Groups are formed on ids and plain values (cheap to sort and hash over a big range) and named from
# the small tables afterwards.
# Dimensions that are columns of the ticket: (column, stored value -> display name).
ATTRIBUTES: dict[str, tuple[str, Callable[[], dict[Any, Any]]]] = {
    "category": ("category_id", _category_names),
    "segment": ("organization__segment", lambda: dict(Segment.choices)),
    "channel": ("channel", lambda: dict(Channel.choices)),
}
# Places a ticket passes through: (ticket column, the escalation event's "from" column, id -> key).
PLACES: dict[str, tuple[str, str, Callable[[], dict[Any, Any]]]] = {
    "team": ("team", "from_team", _team_names),
    "tier": ("tier", "from_tier", _tier_levels),
}
NONE_LABEL = "(none)"
Groups = dict[str, list[dict[str, Any]]]
# The ticket columns the page groups by. One pass groups the range by all of them at once; each
# dimension's numbers are then sums over those groups, as every ticket is in exactly one group.
BREAKDOWN = ("category_id", "organization__segment", "channel", "autonomy", "team_id", "tier_id")
BREAKDOWN_MEASURES = ("tickets", "escalated", "escalations")


@dataclass
class Breakdown:
    groups: list[dict[str, Any]]

    @classmethod
    def of(cls, filters: Filters) -> Breakdown:
        groups = (
            cohort(filters)
            .values(*BREAKDOWN)
            .annotate(
                tickets=Count("pk"),
                escalated=Count("pk", filter=ESCALATED),
                escalations=Sum("escalation_count"),
            )
        )
        return cls(list(groups))

    def by(self, column: str) -> dict[Any, tuple[int, int, int]]:
        """value -> (tickets, escalated tickets, escalations)."""
        sums = sum_by(self.groups, lambda g: g[column], BREAKDOWN_MEASURES)
        return {value: tuple(counts[m] for m in BREAKDOWN_MEASURES) for value, counts in sums.items()}

    def total(self) -> tuple[int, int, int]:
        return tuple(total(self.groups, BREAKDOWN_MEASURES).values())


def _row(key, label, tickets: int, escalated: int, escalations: int) -> dict[str, Any]:
    return {
        "key": key,
        "label": label,
        "tickets": tickets,
        "escalated": escalated,
        "escalations": escalations,
        "escalation_rate": rate(escalated, tickets),
    }


def _attribute_rows(breakdown: Breakdown, by: str) -> list[dict[str, Any]]:
    column, names = ATTRIBUTES[by]
    display = names()
    rows = []
    for value, counts in breakdown.by(column).items():
        # Categories are keyed by name (what the API and the filters use), the others by stored value.
        key = display.get(value) if by == "category" else value
        label = display.get(value, value) if value is not None else NONE_LABEL
        rows.append(_row(key, label, *counts))
    return sorted(rows, key=lambda r: (r["key"] is None, str(r["label"])))


def _place_rows(breakdown: Breakdown, by: str, groups: Groups) -> list[dict[str, Any]]:
    """handled(X) = tickets now at X + tickets escalated away from X that are no longer at X.

    Places change only through escalation events, so a ticket that was at X and left it has an
    escalation event from X; the two sets do not overlap, so no ticket is counted twice.
    """
    column, from_column, names = PLACES[by]
    current = {value: counts[0] for value, counts in breakdown.by(f"{column}_id").items()}
    left = {g[f"{from_column}_id"]: g for g in groups[by]}
    keys = names()
    rows = []
    for value in set(current) | set(left):
        away = left.get(value, {})
        key = keys.get(value)
        label = (tier_name(key) if by == "tier" else key) if key is not None else NONE_LABEL
        handled = current.get(value, 0) + away.get("elsewhere", 0)
        rows.append(_row(key, label, handled, away.get("tickets", 0), away.get("escalations", 0)))
    return sorted(rows, key=lambda r: (r["key"] is None, r["key"] if r["key"] is not None else 0))


def _agent_rows(filters: Filters, groups: Groups | None) -> list[dict[str, Any]]:
    """handled(A) = tickets with a ticket.assigned event to A; escalated(A) = tickets escalated away
    from A (from_agent). Summed over categories: a ticket has one category, so nothing counts twice."""
    counts = agent_category_counts(filters, escalated=groups["agent_category"] if groups else None)
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for source, position in ((counts.handled, 0), (counts.escalated, 1), (counts.escalations, 2)):
        for (agent, _), value in source.items():
            totals[agent][position] += value
    only = filters.agent.user.username if filters.agent else None
    return [
        _row(agent, counts.names.get(agent, agent), *totals[agent])
        for agent in sorted(totals)
        if only is None or agent == only
    ]


def dimension_rows(
    filters: Filters, by: str, breakdown: Breakdown | None = None, groups: Groups | None = None
) -> list[dict[str, Any]]:
    """Escalation rate per value of one dimension (the rows of /api/analytics/escalations/?by=...).

    `breakdown` and `groups` (escalation_groups) are reused when the caller already has them."""
    if by == "agent":
        return _agent_rows(filters, groups)
    breakdown = breakdown or Breakdown.of(filters)
    if by in ATTRIBUTES:
        return _attribute_rows(breakdown, by)
    if by in PLACES:
        return _place_rows(breakdown, by, groups or escalation_groups(filters, by))
    raise ValueError(f"unknown dimension {by!r}")


def totals(filters: Filters, breakdown: Breakdown | None = None) -> dict[str, Any]:
    return _row(None, "All tickets", *(breakdown or Breakdown.of(filters)).total())


def escalation_rates(filters: Filters, by: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The contract endpoint's numbers: the whole cohort, and one row per value of `by`."""
    breakdown = Breakdown.of(filters)
    return totals(filters, breakdown), dimension_rows(filters, by, breakdown)


DIMENSION_COLUMNS = [
    Column("label", "Name"),
    Column("tickets", "Tickets handled", "int"),
    Column("escalated", "Escalated", "int"),
    Column("escalation_rate", "Escalation rate", "rate"),
    Column("escalations", "Escalations", "int"),
]
DESCRIPTIONS = {
    "team": "Tickets a team escalated away (to another team or tier) out of the tickets it handled.",
    "tier": "Tickets escalated away from a tier out of the tickets handled at that tier.",
    "agent": "Tickets escalated while assigned to the agent, out of the tickets assigned to them.",
    "category": "Escalated tickets out of the tickets in each category.",
    "segment": "Escalated tickets out of the tickets from each customer segment.",
    "channel": "Escalated tickets out of the tickets that came in through each channel.",
}


def dimension_table(filters: Filters, by: str, rows: list[dict[str, Any]] | None = None) -> Table:
    return Table(
        key=f"by_{by}",
        title=f"Escalation rate by {DIMENSIONS[by].lower()}",
        description=DESCRIPTIONS[by],
        columns=DIMENSION_COLUMNS,
        rows=rows if rows is not None else dimension_rows(filters, by),
        chart=Chart("bars", label="label", value="escalation_rate", extra={"count": "tickets"}),
    )


def _transitions(tier_rows: list[dict[str, Any]], groups: Groups) -> Table:
    handled = {row["key"]: row["tickets"] for row in tier_rows}
    levels = _tier_levels()
    moves = sorted(
        ((levels.get(g["from_tier_id"]), levels.get(g["to_tier_id"]), g) for g in groups["transition"]),
        key=lambda move: (move[0] is None, move[0] or 0, move[1] is None, move[1] or 0),
    )
    rows = [
        {
            "transition": f"{tier_name(low)} → {tier_name(high)}",
            "handled": handled.get(low, 0),
            "tickets": g["tickets"],
            "rate": rate(g["tickets"], handled.get(low, 0)),
            "escalations": g["escalations"],
        }
        for low, high, g in moves
    ]
    return Table(
        key="tier_transitions",
        title="Tier transitions",
        description="Tickets moved up from one tier to the next, out of the tickets handled at the lower tier.",
        columns=[
            Column("transition", "Transition"),
            Column("handled", "Handled at lower tier", "int"),
            Column("tickets", "Escalated", "int"),
            Column("rate", "Rate", "rate"),
            Column("escalations", "Escalations", "int"),
        ],
        rows=rows,
        chart=Chart("bars", label="transition", value="rate", extra={"count": "handled"}),
    )


def _automation(filters: Filters, breakdown: Breakdown) -> tuple[Table, dict[str, int]]:
    bands = {value: {"tickets": n, "escalated": e} for value, (n, e, _) in breakdown.by("autonomy").items()}
    labels = {**dict(Autonomy.choices), None: "Not decided"}
    rows = [
        {
            "band": labels[value],
            "tickets": bands[value]["tickets"],
            "escalated": bands[value]["escalated"],
            "rate": rate(bands[value]["escalated"], bands[value]["tickets"]),
        }
        for value in [*Autonomy.values, None]
        if value in bands
    ]
    answers = {
        g["code"]: g["tickets"]
        for g in cohort_events(filters, "automation.replied", "automation.rejected")
        .values("code")
        .annotate(tickets=Count("ticket", distinct=True))
    }
    table = Table(
        key="automation",
        title="Automation → human",
        description="Escalation rate by the autonomy decision. Automatic answers the customer rejected "
        "went on to a person (see the figures above).",
        columns=[
            Column("band", "Autonomy decision"),
            Column("tickets", "Tickets", "int"),
            Column("escalated", "Escalated", "int"),
            Column("rate", "Escalation rate", "rate"),
        ],
        rows=rows,
        chart=Chart("bars", label="band", value="rate", extra={"count": "tickets"}),
    )
    return table, {
        "replied": answers.get("automation.replied", 0),
        "rejected": answers.get("automation.rejected", 0),
    }


def _triggers(groups: Groups) -> Table:
    labels = dict(Trigger.choices)
    counts = sorted(groups["trigger"], key=lambda g: (-g["escalations"], g["trigger"]))
    total = sum(g["escalations"] for g in counts)
    rows = [
        {
            "trigger": labels.get(g["trigger"], g["trigger"]),
            "escalations": g["escalations"],
            "share": rate(g["escalations"], total),
            "tickets": g["tickets"],
        }
        for g in counts
    ]
    return Table(
        key="triggers",
        title="What triggered the escalations",
        description="Escalation events by trigger: a person, a rule, the SLA, the model or sentiment.",
        columns=[
            Column("trigger", "Trigger"),
            Column("escalations", "Escalations", "int"),
            Column("share", "Share", "rate"),
            Column("tickets", "Tickets", "int"),
        ],
        rows=rows,
        chart=Chart("bars", label="trigger", value="share", extra={"count": "escalations"}),
    )


def dimensions_report(filters: Filters) -> Report:
    breakdown = Breakdown.of(filters)
    groups = escalation_groups(filters)
    overall = totals(filters, breakdown)
    tier_rows = dimension_rows(filters, "tier", breakdown, groups)
    automation, answers = _automation(filters, breakdown)
    report = Report(page="escalations", title="Escalation rate by dimension")
    report.stats = [
        Stat("tickets", "Tickets", overall["tickets"]),
        Stat("escalated", "Escalated tickets", overall["escalated"]),
        Stat("escalation_rate", "Escalation rate", overall["escalation_rate"], "rate"),
        Stat("automatic_answers", "Automatic answers", answers["replied"]),
        Stat("automation_to_human", "Automatic answers rejected", answers["rejected"]),
        Stat(
            "automation_to_human_rate",
            "Automation → human rate",
            rate(answers["rejected"], answers["replied"]),
            "rate",
        ),
    ]
    report.tables = [
        dimension_table(filters, "team", dimension_rows(filters, "team", breakdown, groups)),
        dimension_table(filters, "tier", tier_rows),
        _transitions(tier_rows, groups),
        automation,
        dimension_table(filters, "category", dimension_rows(filters, "category", breakdown)),
        dimension_table(filters, "segment", dimension_rows(filters, "segment", breakdown)),
        dimension_table(filters, "agent", dimension_rows(filters, "agent", groups=groups)),
        dimension_table(filters, "channel", dimension_rows(filters, "channel", breakdown)),
        _triggers(groups),
    ]
    return report
