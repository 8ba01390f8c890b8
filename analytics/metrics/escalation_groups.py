"""The cohort's escalation events counted by where they came from and what set them off: the numbers
behind the team, tier, tier-transition, agent and trigger tables, read in one pass (analytics.grouping)
instead of one pass per table (the escalation page at 1M tickets: five passes of ~110 ms each).

Each grouping's rows carry its keys (ids and stored values) and these measures:
- tickets: distinct tickets; escalations: events;
- elsewhere (team, tier): distinct tickets that are no longer where the escalation took them from.
"""

from __future__ import annotations

from typing import Any

from django.db.models import F

from analytics.filters import Filters, escalation_events
from analytics.grouping import Grouping, grouped

TICKETS = "COUNT(DISTINCT ticket_id)"
EVENTS = "COUNT(*)"


def _no_longer_at(current: str, origin: str) -> str:
    # As the ORM writes ~Q(current=origin): a missing value on either side counts as "not there".
    return (
        f"COUNT(DISTINCT ticket_id) FILTER (WHERE NOT ({current} = {origin}"
        f" AND {current} IS NOT NULL AND {origin} IS NOT NULL))"
    )


GROUPINGS = {
    "team": Grouping(
        ("from_team_id",),
        {
            "tickets": TICKETS,
            "elsewhere": _no_longer_at("current_team", "from_team_id"),
            "escalations": EVENTS,
        },
    ),
    "tier": Grouping(
        ("from_tier_id",),
        {
            "tickets": TICKETS,
            "elsewhere": _no_longer_at("current_tier", "from_tier_id"),
            "escalations": EVENTS,
        },
    ),
    "transition": Grouping(
        ("from_tier_id", "to_tier_id"),
        {"tickets": TICKETS, "escalations": EVENTS},
        where="code = %s",
        params=("escalation.hierarchical",),
    ),
    "agent_category": Grouping(("from_agent_id", "category_id"), {"tickets": TICKETS, "escalations": EVENTS}),
    "trigger": Grouping(("trigger",), {"tickets": TICKETS, "escalations": EVENTS}),
}


def escalation_groups(filters: Filters, *names: str) -> dict[str, list[dict[str, Any]]]:
    """The rows of the named groupings (all of them when none is named), from one pass."""
    source = escalation_events(filters).values(
        "ticket_id",
        "code",
        "trigger",
        "from_team_id",
        "from_tier_id",
        "to_tier_id",
        "from_agent_id",
        category_id=F("ticket__category_id"),
        current_team=F("ticket__team_id"),
        current_tier=F("ticket__tier_id"),
    )
    return grouped(source, {name: GROUPINGS[name] for name in names or GROUPINGS})
