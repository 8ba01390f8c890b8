"""The cohort's escalation events counted by where they came from and what set them off: the numbers
behind the team, tier, tier-transition, agent and trigger tables of the escalation page, and the
escalations away from each agent of the training-gaps page.

Each grouping's rows carry its keys (ids, None for none; the trigger as stored) and these measures:
- tickets: distinct tickets; escalations: events;
- elsewhere (team, tier): distinct tickets that are no longer where the escalation took them from.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from analytics.facts.cohort import Cohort
from analytics.facts.columns import NONE
from analytics.facts.numbers import count_by, distinct_by, groups

Rows = list[dict[str, Any]]


def _no_longer_at(current: np.ndarray, origin: np.ndarray) -> np.ndarray:
    """The ticket is no longer where the event took it from. A missing place on either side counts as
    "not there" (an event from no team, a ticket now in no team), as the SQL definition counted it."""
    return (current != origin) | (current == NONE) | (origin == NONE)


def _grouped(ticket: np.ndarray, keys: dict[str, np.ndarray], elsewhere: np.ndarray | None = None) -> Rows:
    """One row per combination of the keys (ids or codes; -1 comes back as None): distinct tickets,
    events, and with `elsewhere` the distinct tickets of the events it marks."""
    group, values = groups(*keys.values())
    size = len(values)
    tickets = distinct_by(group, size, ticket)
    escalations = count_by(group, size)
    away = distinct_by(group, size, ticket, elsewhere) if elsewhere is not None else None
    rows = []
    for i, key in enumerate(values):
        row: dict[str, Any] = {
            name: None if value == NONE else value for name, value in zip(keys, key, strict=True)
        }
        row.update(tickets=int(tickets[i]), escalations=int(escalations[i]))
        if away is not None:
            row["elsewhere"] = int(away[i])
        rows.append(row)
    return rows


def _away_from(cohort: Cohort, place: str) -> Rows:
    """By the team or tier the events took the tickets from."""
    ticket, origin = cohort.escalations("ticket", f"from_{place}")
    current = cohort.tickets(place, of=ticket)
    return _grouped(ticket, {f"from_{place}": origin}, _no_longer_at(current, origin))


def _transitions(cohort: Cohort) -> Rows:
    """By (from tier, to tier) of the hierarchical escalations: a functional one moves between teams."""
    ticket, hierarchical, from_tier, to_tier = cohort.escalations(
        "ticket", "hierarchical", "from_tier", "to_tier"
    )
    return _grouped(
        ticket[hierarchical], {"from_tier": from_tier[hierarchical], "to_tier": to_tier[hierarchical]}
    )


def _agent_category(cohort: Cohort) -> Rows:
    """By the agent the events took the tickets from, and the tickets' category."""
    ticket, from_agent = cohort.escalations("ticket", "from_agent")
    return _grouped(ticket, {"from_agent": from_agent, "category": cohort.tickets("category", of=ticket)})


def _trigger(cohort: Cohort) -> Rows:
    ticket, trigger = cohort.escalations("ticket", "trigger")
    words = cohort.words("escalation", "trigger")
    rows = _grouped(ticket, {"trigger": trigger})
    for row in rows:
        row["trigger"] = None if row["trigger"] is None else words[row["trigger"]]
    return rows


GROUPINGS: dict[str, Callable[[Cohort], Rows]] = {
    "team": lambda cohort: _away_from(cohort, "team"),
    "tier": lambda cohort: _away_from(cohort, "tier"),
    "transition": _transitions,
    "agent_category": _agent_category,
    "trigger": _trigger,
}


def escalation_groups(cohort: Cohort, *names: str) -> dict[str, Rows]:
    """The rows of the named groupings (all of them when none is named)."""
    return {name: GROUPINGS[name](cohort) for name in names or GROUPINGS}
