"""Training gaps: agents who escalate more than their peers would on the same mix of categories.

Raw escalation rates are unfair (an agent on security incidents escalates more than one on password
resets), so each agent is compared with what their peers would have escalated on the same tickets:

    expected(A) = sum over categories c of  handled(A, c) x peer_rate(c),
    peer_rate(c) = escalated(c, other agents) / handled(c, other agents)

(indirect standardization). observed / expected is the standardized escalation ratio. Under "A is like
the peers" the observed count is approximately Poisson(expected), which gives an exact one-sided p-value
and a 95% confidence interval for the ratio; p-values are Holm-adjusted across the agents tested, and an
agent is flagged when the adjusted p-value is below 0.05.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from scipy.stats import chi2, poisson

from analytics.facts.cohort import Cohort
from analytics.facts.numbers import count_by, groups
from analytics.filters import Filters
from analytics.metrics.escalation_groups import Rows, escalation_groups
from analytics.report import Chart, Column, Report, Stat, Table, rate
from helpdesk.models import Agent, Category

ALPHA = 0.05
MIN_HANDLED = 10
# The columns the counts read, fetched at once (a column read when first needed is one query more).
COLUMNS = (
    "assignment.ticket",
    "assignment.agent",
    "ticket.category",
    "escalation.ticket",
    "escalation.from_agent",
)


@dataclass
class AgentCounts:
    """Tickets per (agent username, category name): handled, and escalated while with the agent."""

    handled: dict[tuple[str, str | None], int]
    escalated: dict[tuple[str, str | None], int]
    escalations: dict[tuple[str, str | None], int]  # events, not tickets
    names: dict[str, str]


def agent_category_counts(cohort: Cohort, escalated: Rows | None = None) -> AgentCounts:
    """`escalated`: the "agent_category" rows of escalation_groups, when the caller has them already."""
    ticket, agent = cohort.rows("assignment", "ticket", "agent")
    group, keys = groups(agent, cohort.tickets("category", of=ticket))
    # Each (ticket, agent) a ticket.assigned event joined is one row: rows are distinct tickets.
    handled = count_by(group, len(keys))
    if escalated is None:
        escalated = escalation_groups(cohort, "agent_category")["agent_category"]
    # Counted by ids and named afterwards from the two small tables, where -1 (no agent, no category)
    # is not found: unassigned rows are left out, tickets without a category are named None.
    agents = {
        a["pk"]: (a["user__username"], f"{a['user__first_name']} {a['user__last_name']}".strip())
        for a in Agent.objects.values("pk", "user__username", "user__first_name", "user__last_name")
    }
    categories = dict(Category.objects.values_list("pk", "name"))
    counts = AgentCounts(handled={}, escalated={}, escalations={}, names={})
    for (agent_id, category), tickets in zip(keys, handled.tolist(), strict=True):
        if agent_id in agents:
            username, name = agents[agent_id]
            counts.handled[(username, categories.get(category))] = tickets
            counts.names[username] = name or username
    for row in escalated:
        if row["from_agent"] in agents:
            key = (agents[row["from_agent"]][0], categories.get(row["category"]))
            counts.escalated[key] = row["tickets"]
            counts.escalations[key] = row["escalations"]
    return counts


@dataclass
class Comparison:
    agent: str
    name: str
    handled: int = 0
    observed: int = 0
    expected: float = 0.0
    biggest_gap: str | None = None
    p_value: float | None = None
    adjusted_p: float | None = None

    @property
    def ratio(self) -> float | None:
        return self.observed / self.expected if self.expected else None

    def interval(self) -> tuple[float | None, float | None]:
        """Exact (Garwood) 95% confidence interval of observed / expected."""
        if not self.expected:
            return None, None
        low = float(chi2.ppf(ALPHA / 2, 2 * self.observed)) / 2 if self.observed else 0.0
        high = float(chi2.ppf(1 - ALPHA / 2, 2 * self.observed + 2)) / 2
        return low / self.expected, high / self.expected

    @property
    def flagged(self) -> bool:
        return self.adjusted_p is not None and self.adjusted_p < ALPHA and self.observed > self.expected


def compare_agents(counts: AgentCounts) -> list[Comparison]:
    """Observed vs expected escalations per agent, on the categories where the agent has peers."""
    category_handled: dict[str | None, int] = defaultdict(int)
    category_escalated: dict[str | None, int] = defaultdict(int)
    for (_, category), n in counts.handled.items():
        category_handled[category] += n
    for (_, category), x in counts.escalated.items():
        category_escalated[category] += x
    comparisons: dict[str, Comparison] = {}
    gaps: dict[str, dict[str | None, float]] = defaultdict(dict)
    for (agent, category), n in counts.handled.items():
        x = min(counts.escalated.get((agent, category), 0), n)
        peers_n = category_handled[category] - n
        if peers_n <= 0:
            continue  # nobody else handled this category: nothing to compare with
        peer_rate = max(category_escalated[category] - x, 0) / peers_n
        row = comparisons.setdefault(agent, Comparison(agent=agent, name=counts.names.get(agent, agent)))
        row.handled += n
        row.observed += x
        row.expected += n * peer_rate
        gaps[agent][category] = x - n * peer_rate
    for agent, row in comparisons.items():
        worst = max(gaps[agent].items(), key=lambda item: item[1])
        row.biggest_gap = worst[0] if worst[1] > 0 else None
    tested = [r for r in comparisons.values() if r.handled >= MIN_HANDLED and r.expected > 0]
    for row in tested:
        # P(X >= observed) for X ~ Poisson(expected): one-sided, "escalates more than peers".
        row.p_value = float(poisson.sf(row.observed - 1, row.expected))
    holm_adjust(tested)
    return sorted(
        comparisons.values(),
        key=lambda r: (r.adjusted_p is None, r.adjusted_p or 0, -(r.ratio or 0), r.agent),
    )


def holm_adjust(rows: list[Comparison]) -> None:
    """Holm's step-down adjustment: controls the chance of flagging anyone by luck across many agents."""
    ordered = sorted(rows, key=lambda r: r.p_value)
    running = 0.0
    for index, row in enumerate(ordered):
        running = max(running, min(1.0, (len(ordered) - index) * row.p_value))
        row.adjusted_p = running


def _row(c: Comparison) -> dict[str, Any]:
    low, high = c.interval()
    return {
        "agent": c.agent,
        "name": c.name,
        "handled": c.handled,
        "escalated": c.observed,
        "rate": rate(c.observed, c.handled),
        "expected": round(c.expected, 4),
        "peer_rate": rate(c.expected, c.handled),
        "ratio": None if c.ratio is None else round(c.ratio, 4),
        "ci_low": None if low is None else round(low, 4),
        "ci_high": None if high is None else round(high, 4),
        "p_value": None if c.p_value is None else round(c.p_value, 6),
        "adjusted_p": None if c.adjusted_p is None else round(c.adjusted_p, 6),
        "biggest_gap": c.biggest_gap or "",
        "flagged": "yes" if c.flagged else "",
    }


def training_report(filters: Filters) -> Report:
    # Peers are everyone in the cohort: an agent looking at their own numbers is still compared with all.
    cohort = Cohort.of(dataclasses.replace(filters, agent=None))
    cohort.load(*COLUMNS)
    counts = agent_category_counts(cohort)
    comparisons = compare_agents(counts)
    if filters.agent is not None:
        comparisons = [c for c in comparisons if c.agent == filters.agent.user.username]
    flagged = [c for c in comparisons if c.flagged]
    report = Report(page="training", title="Training gaps")
    report.stats = [
        Stat("agents", "Agents compared", len(comparisons)),
        Stat("tested", "Agents with enough tickets to test", sum(c.p_value is not None for c in comparisons)),
        Stat("flagged", "Escalating well above peers", len(flagged)),
    ]
    report.highlights = [
        f"{c.name} escalates {c.ratio:.1f}× as often as peers on the same categories"
        + (f", most of all in {c.biggest_gap}" if c.biggest_gap else "")
        + f" (adjusted p = {c.adjusted_p:.3f})."
        for c in flagged
    ]
    report.tables = [
        Table(
            key="agents",
            title="Escalation rate against peers on the same category mix",
            description="Expected = escalations the agent's peers would have made on the same number of "
            "tickets per category. Ratio = escalated / expected, with its 95% confidence interval. "
            f"Agents with fewer than {MIN_HANDLED} comparable tickets are not tested.",
            columns=[
                Column("name", "Agent"),
                Column("handled", "Tickets", "int"),
                Column("escalated", "Escalated", "int"),
                Column("rate", "Rate", "rate"),
                Column("peer_rate", "Peers on same mix", "rate"),
                Column("expected", "Expected", "number"),
                Column("ratio", "Ratio", "number"),
                Column("ci_low", "95% CI low", "number"),
                Column("ci_high", "95% CI high", "number"),
                Column("adjusted_p", "Adjusted p", "number"),
                Column("biggest_gap", "Largest excess in"),
                Column("flagged", "Flagged"),
            ],
            rows=[_row(c) for c in comparisons],
            chart=Chart(
                "interval",
                label="name",
                value="ratio",
                extra={"low": "ci_low", "high": "ci_high", "flag": "flagged"},
            ),
            show_table=True,
        )
    ]
    report.notes = [
        "A ticket counts for an agent when it was assigned to them (ticket.assigned); it counts as "
        "escalated by them when an escalation event moved it away from them (from_agent).",
    ]
    return report
