"""Who hears about a change, and the outbox write that tells them.

Audience groups: "leads" (leads and admins see every ticket), "team.<id>" (agents of a team),
"agent.<id>" (one agent), "customer.<user id>" (a customer, for their own tickets' public changes).
A change is published in the same transaction as the change itself (see models/live.py).
"""

from __future__ import annotations

from collections.abc import Iterable

from helpdesk.models import LiveEvent, Ticket

LEADS_GROUP = "leads"


def team_group(team_id: int) -> str:
    return f"team.{team_id}"


def agent_group(agent_id: int) -> str:
    return f"agent.{agent_id}"


def customer_group(user_id: int) -> str:
    return f"customer.{user_id}"


def ticket_audience(ticket: Ticket, *, public: bool) -> list[str]:
    """Everyone allowed to see this ticket now; the customer only for public changes."""
    groups = [LEADS_GROUP]
    if ticket.team_id:
        groups.append(team_group(ticket.team_id))
    if ticket.assignee_id:
        groups.append(agent_group(ticket.assignee_id))
    if public:
        groups.append(customer_group(ticket.customer_id))
    return groups


def publish(
    *, kind: str, groups: Iterable[str], ticket: Ticket | None = None, payload: dict | None = None
) -> LiveEvent:
    """Write one live event to the outbox. Call inside the transaction of the change it describes."""
    unique_groups = list(dict.fromkeys(groups))
    return LiveEvent.objects.create(kind=kind, ticket=ticket, groups=unique_groups, payload=payload or {})
