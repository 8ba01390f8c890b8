"""Escalation rate by dimension: team, tier, tier transition, automation -> human, category, segment,
agent, channel, and what triggered the escalations.

Team, tier and agent are places a ticket passes through, so their rate is "tickets escalated away from
X / tickets X handled"; category, segment and channel are facts of the ticket, so their rate is
"escalated tickets / tickets". docs/metrics.md has the exact definitions.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

import numpy as np

from analytics.facts.cohort import Cohort
from analytics.facts.columns import NONE
from analytics.facts.numbers import count_by
from analytics.filters import Filters
from analytics.metrics.common import tier_name
from analytics.metrics.escalation_groups import Rows, escalation_groups
from analytics.metrics.training import agent_category_counts
from analytics.report import Chart, Column, Report, Stat, Table, rate
from helpdesk.models import Autonomy, Category, Channel, Organization, Segment, Team, Tier, Trigger

DIMENSIONS = {
    "team": "Team",
    "tier": "Tier",
    "category": "Category",
    "segment": "Segment",
    "agent": "Agent",
    "channel": "Channel",
}
NONE_LABEL = "(none)"
# Every column the page reads, fetched at once (a column read when first needed is one query more).
PAGE_COLUMNS = (
    "ticket.escalation_count",
    "ticket.category",
    "ticket.organization",
    "ticket.channel",
    "ticket.autonomy",
    "ticket.team",
    "ticket.tier",
    "ticket.replied",
    "ticket.rejected",
    "escalation.ticket",
    "escalation.from_team",
    "escalation.from_tier",
    "escalation.to_tier",
    "escalation.from_agent",
    "escalation.hierarchical",
    "escalation.trigger",
    "assignment.ticket",
    "assignment.agent",
)
Groups = dict[str, Rows]
Counts = tuple[int, int, int]  # tickets, escalated tickets, escalations


def _counts(cohort: Cohort, key: np.ndarray) -> dict[int, Counts]:
    """The cohort's tickets counted per value of a ticket column (an id or a code, -1 for none). Ids and
    codes are small numbers, so they index the counts directly."""
    escalations = cohort.tickets("escalation_count")
    slot = key.astype(np.int64) + 1
    size = int(slot.max()) + 1 if len(slot) else 0
    tickets = count_by(slot, size)
    escalated = count_by(slot, size, escalations > 0)
    events = np.bincount(slot, weights=escalations, minlength=size)
    return {
        s - 1: (int(tickets[s]), int(escalated[s]), int(events[s])) for s in np.flatnonzero(tickets).tolist()
    }


def _by_id(cohort: Cohort, column: str) -> dict[int | None, Counts]:
    return {
        None if key == NONE else key: counts
        for key, counts in _counts(cohort, cohort.tickets(column)).items()
    }


def _by_stored_value(cohort: Cohort, column: str) -> dict[str | None, Counts]:
    words = cohort.words("ticket", column)
    return {
        None if key == NONE else words[key]: counts
        for key, counts in _counts(cohort, cohort.tickets(column)).items()
    }


def _by_segment(cohort: Cohort) -> dict[str | None, Counts]:
    """Counted by organization, then added up by each organization's segment as it is now."""
    segments = dict(Organization.objects.values_list("pk", "segment"))
    out: dict[str | None, Counts] = {}
    for organization, counts in _counts(cohort, cohort.tickets("organization")).items():
        segment = segments.get(organization)  # None for tickets without an organization (-1)
        out[segment] = tuple(a + b for a, b in zip(out.get(segment, (0, 0, 0)), counts, strict=True))
    return out


def _category_names() -> dict[Any, str]:
    return dict(Category.objects.values_list("pk", "name"))


def _team_names() -> dict[Any, str]:
    return dict(Team.objects.values_list("pk", "name"))


def _tier_levels() -> dict[Any, int]:
    return dict(Tier.objects.values_list("pk", "level"))


# Groups are formed on ids and stored values and named from the small tables afterwards.
# Dimensions that are facts of the ticket: (counts per stored value, stored value -> display name).
ATTRIBUTES: dict[str, tuple[Callable[[Cohort], dict[Any, Counts]], Callable[[], dict[Any, Any]]]] = {
    "category": (lambda cohort: _by_id(cohort, "category"), _category_names),
    "segment": (_by_segment, lambda: dict(Segment.choices)),
    "channel": (lambda cohort: _by_stored_value(cohort, "channel"), lambda: dict(Channel.choices)),
}
# Places a ticket passes through: the ticket's column (where it is now), id -> key.
PLACES: dict[str, tuple[str, Callable[[], dict[Any, Any]]]] = {
    "team": ("team", _team_names),
    "tier": ("tier", _tier_levels),
}


def _row(key, label, tickets: int, escalated: int, escalations: int) -> dict[str, Any]:
    return {
        "key": key,
        "label": label,
        "tickets": tickets,
        "escalated": escalated,
        "escalations": escalations,
        "escalation_rate": rate(escalated, tickets),
    }


def _attribute_rows(cohort: Cohort, by: str) -> list[dict[str, Any]]:
    counted, names = ATTRIBUTES[by]
    display = names()
    rows = []
    for value, counts in counted(cohort).items():
        # Categories are keyed by name (what the API and the filters use), the others by stored value.
        key = display.get(value) if by == "category" else value
        label = display.get(value, value) if value is not None else NONE_LABEL
        rows.append(_row(key, label, *counts))
    return sorted(rows, key=lambda r: (r["key"] is None, str(r["label"])))


def _place_rows(cohort: Cohort, by: str, groups: Groups) -> list[dict[str, Any]]:
    """handled(X) = tickets now at X + tickets escalated away from X that are no longer at X.

    Places change only through escalation events, so a ticket that was at X and left it has an
    escalation event from X; the two sets do not overlap, so no ticket is counted twice.
    """
    column, names = PLACES[by]
    current = {value: counts[0] for value, counts in _by_id(cohort, column).items()}
    left = {g[f"from_{column}"]: g for g in groups[by]}
    keys = names()
    rows = []
    for value in set(current) | set(left):
        away = left.get(value, {})
        key = keys.get(value)
        label = (tier_name(key) if by == "tier" else key) if key is not None else NONE_LABEL
        handled = current.get(value, 0) + away.get("elsewhere", 0)
        rows.append(_row(key, label, handled, away.get("tickets", 0), away.get("escalations", 0)))
    return sorted(rows, key=lambda r: (r["key"] is None, r["key"] if r["key"] is not None else 0))


def _agent_rows(cohort: Cohort, groups: Groups | None) -> list[dict[str, Any]]:
    """handled(A) = tickets with a ticket.assigned event to A; escalated(A) = tickets escalated away
    from A (from_agent). Summed over categories: a ticket has one category, so nothing counts twice."""
    counts = agent_category_counts(cohort, escalated=groups["agent_category"] if groups else None)
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for source, position in ((counts.handled, 0), (counts.escalated, 1), (counts.escalations, 2)):
        for (agent, _), value in source.items():
            totals[agent][position] += value
    only = cohort.filters.agent.user.username if cohort.filters.agent else None
    return [
        _row(agent, counts.names.get(agent, agent), *totals[agent])
        for agent in sorted(totals)
        if only is None or agent == only
    ]


def dimension_rows(cohort: Cohort, by: str, groups: Groups | None = None) -> list[dict[str, Any]]:
    """Escalation rate per value of one dimension (the rows of /api/analytics/escalations/?by=...).

    `groups` (escalation_groups) are reused when the caller already has them."""
    if by == "agent":
        return _agent_rows(cohort, groups)
    if by in ATTRIBUTES:
        return _attribute_rows(cohort, by)
    if by in PLACES:
        return _place_rows(cohort, by, groups or escalation_groups(cohort, by))
    raise ValueError(f"unknown dimension {by!r}")


def totals(cohort: Cohort) -> dict[str, Any]:
    escalations = cohort.tickets("escalation_count")
    return _row(None, "All tickets", cohort.count, int((escalations > 0).sum()), int(escalations.sum()))


def escalation_rates(filters: Filters, by: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The contract endpoint's numbers: the whole cohort, and one row per value of `by`."""
    cohort = Cohort.of(filters)
    return totals(cohort), dimension_rows(cohort, by)


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


def dimension_table(by: str, rows: list[dict[str, Any]]) -> Table:
    return Table(
        key=f"by_{by}",
        title=f"Escalation rate by {DIMENSIONS[by].lower()}",
        description=DESCRIPTIONS[by],
        columns=DIMENSION_COLUMNS,
        rows=rows,
        chart=Chart("bars", label="label", value="escalation_rate", extra={"count": "tickets"}),
    )


def _transitions(tier_rows: list[dict[str, Any]], groups: Groups) -> Table:
    handled = {row["key"]: row["tickets"] for row in tier_rows}
    levels = _tier_levels()
    moves = sorted(
        ((levels.get(g["from_tier"]), levels.get(g["to_tier"]), g) for g in groups["transition"]),
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


def _automation(cohort: Cohort) -> tuple[Table, dict[str, int]]:
    bands = {
        value: {"tickets": n, "escalated": e}
        for value, (n, e, _) in _by_stored_value(cohort, "autonomy").items()
    }
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
    # Tickets with an automatic answer, and with one the customer rejected.
    replied, rejected = cohort.tickets("replied", "rejected")
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
    return table, {"replied": int(replied.sum()), "rejected": int(rejected.sum())}


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
    cohort = Cohort.of(filters)
    cohort.load(*PAGE_COLUMNS)
    groups = escalation_groups(cohort)
    overall = totals(cohort)
    tier_rows = dimension_rows(cohort, "tier", groups)
    automation, answers = _automation(cohort)
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
        dimension_table("team", dimension_rows(cohort, "team", groups)),
        dimension_table("tier", tier_rows),
        _transitions(tier_rows, groups),
        automation,
        dimension_table("category", dimension_rows(cohort, "category")),
        dimension_table("segment", dimension_rows(cohort, "segment")),
        dimension_table("agent", dimension_rows(cohort, "agent", groups)),
        dimension_table("channel", dimension_rows(cohort, "channel")),
        _triggers(groups),
    ]
    return report
