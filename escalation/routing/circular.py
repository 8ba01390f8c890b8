"""What the event log says about a ticket's path, and when that path is going in circles.

A ticket that comes back to a team it already left (A -> B -> A), or changes teams more often than the
hop limit, is not bounced again: routing gives it to a named owner (the coordinator) and flags it.
The team the router picks at creation replaces the intake guess instead of counting as a hop.
"""

from __future__ import annotations

from dataclasses import dataclass

from helpdesk.models import TicketEvent

HISTORY_CODES = (
    "ticket.created",
    "ticket.team_changed",
    "escalation.functional",
    "escalation.hierarchical",
    "ticket.declined",
    "ticket.unassigned",
    "ticket.assigned",
)


@dataclass(frozen=True)
class TicketHistory:
    team_path: tuple[int, ...] = ()  # the teams the ticket has been with, repeats in a row collapsed
    # Agents who declined it, or had it taken away for fresh eyes, since it last changed hands upward.
    declined_by: frozenset[int] = frozenset()
    last_agent_id: int | None = None  # the last agent it was assigned to


def _append(path: list[int], team_id: int | None) -> None:
    if team_id is not None and (not path or path[-1] != team_id):
        path.append(team_id)


def load_history(ticket_id: int) -> TicketHistory:
    """One query over the events that move a ticket between teams and people."""
    rows = (
        TicketEvent.objects.filter(ticket_id=ticket_id, code__in=HISTORY_CODES)
        .order_by("created_at", "id")
        .values_list("code", "from_team_id", "to_team_id", "from_agent_id", "to_agent_id", "details")
    )
    path: list[int] = []
    declined: set[int] = set()
    last_agent = None
    for code, from_team, to_team, from_agent, to_agent, details in rows:
        if code == "ticket.team_changed" and (details or {}).get("initial") and path:
            path[-1] = to_team
        elif code in ("ticket.created", "ticket.team_changed", "escalation.functional"):
            if not path:  # imported tickets may have no creation event: the first move names the start
                _append(path, from_team)
            _append(path, to_team)
        if code.startswith("escalation."):
            declined.clear()
        elif code == "ticket.declined" and from_agent:
            declined.add(from_agent)
        elif code == "ticket.unassigned" and from_agent and (details or {}).get("hand_on"):
            declined.add(from_agent)  # taken away (e.g. by the SLA sweep): not straight back to them
        elif code == "ticket.assigned" and to_agent:
            last_agent = to_agent
    return TicketHistory(tuple(path), frozenset(declined), last_agent)


def initial_history(ticket) -> TicketHistory:
    """The history of a ticket nothing has moved yet: it has only ever been with its current team."""
    return TicketHistory(team_path=(ticket.team_id,) if ticket.team_id else ())


def with_team(path: tuple[int, ...], team_id: int | None) -> tuple[int, ...]:
    extended = list(path)
    _append(extended, team_id)
    return tuple(extended)


def bounce_reason(path: tuple[int, ...], *, hop_limit: int, names: dict[int, str]) -> str | None:
    """Why the path counts as circular, in words, or None."""
    shown = " → ".join(names.get(t, f"team {t}") for t in path)
    if len(path) >= 3 and path[-1] in path[:-2]:
        return f"It bounced between teams ({shown})."
    if len(path) - 1 > hop_limit:
        return f"It changed teams {len(path) - 1} times, more than the limit of {hop_limit} ({shown})."
    return None
