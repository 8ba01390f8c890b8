"""The facts kept per creation day: which arrays there are, and the type of each.

Each kind of row is a set of equally long arrays per day:
- ticket: one row per ticket created that day, in creation order (created_at, id);
- escalation: one row per escalation event of those tickets, in the order they happened;
- assignment: one row per (ticket, agent) that a `ticket.assigned` event joined;
- team_pass, tier_pass, agent_pass: one row per (ticket, team / tier / agent) the ticket passed through,
  which is what the team, tier and agent filters select on.

Ids are int32 with -1 for "none"; hours are float64 with NaN for "none"; coded columns (CODED) hold
indexes into the day's vocabulary of stored values. A `ticket` column of any other kind is the row's
ticket, as an index into the day's ticket rows.
"""

from __future__ import annotations

import numpy as np

NONE = -1
ID = np.int32
HOURS = np.float64

COLUMNS: dict[str, dict[str, type]] = {
    "ticket": {
        "id": np.int64,
        "created_us": np.int64,  # microseconds since the epoch (exact, unlike float seconds)
        "customer": ID,
        "organization": ID,
        "category": ID,
        "team": ID,
        "tier": ID,
        "channel": np.int16,
        "autonomy": np.int16,
        "escalation_count": np.int32,
        "breached": np.bool_,
        "csat": np.int8,  # the rating 1-5, 0 when not rated
        "reopens": np.int32,
        "resolved": np.bool_,
        "resolution_h": HOURS,  # creation -> resolution
        "first_response_h": HOURS,  # creation -> first response
        "first_escalation_h": HOURS,  # creation -> first escalation
        "after_first_h": HOURS,  # first escalation -> resolution
        "after_last_h": HOURS,  # last escalation -> resolution (escalated tickets)
        "at_tier_h": HOURS,  # reaching the tier that resolved it -> resolution
        "replied": np.bool_,  # automation.replied
        "rejected": np.bool_,  # automation.rejected
        "abandoned": np.bool_,  # sla.abandoned
        "blocked": np.bool_,  # routing.circular_blocked
    },
    "escalation": {
        "ticket": ID,
        "id": np.int64,
        "at_us": np.int64,
        "hierarchical": np.bool_,  # escalation.hierarchical (else functional)
        "trigger": np.int16,
        "from_team": ID,
        "to_team": ID,
        "from_tier": ID,
        "to_tier": ID,
        "from_agent": ID,
        "cell": np.int16,  # hour of the week it happened: (ISO weekday - 1) * 24 + hour
        "after_h": HOURS,  # this escalation -> the ticket's resolution
        "later": np.bool_,  # the ticket was escalated again afterwards
        "returns": np.bool_,  # it sends the ticket back to a team it had left (ping-pong)
    },
    "assignment": {"ticket": ID, "agent": ID},
    "team_pass": {"ticket": ID, "team": ID},
    "tier_pass": {"ticket": ID, "tier": ID},
    "agent_pass": {"ticket": ID, "agent": ID},
}
# Coded columns: (kind, name) whose values index the day's vocabulary[f"{kind}.{name}"].
CODED = {("ticket", "channel"), ("ticket", "autonomy"), ("escalation", "trigger")}
# Bump when a column is added, removed or computed differently: every day is rebuilt.
SCHEMA = 1


def dtype_of(column: str) -> type:
    kind, name = column.split(".", 1)
    return COLUMNS[kind][name]
