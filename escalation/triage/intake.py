"""Fill a new ticket's triage fields from `triage_ticket`, keeping whatever the customer chose."""

from __future__ import annotations

from escalation.triage import triage_ticket
from helpdesk.models import Ticket


def apply_triage(ticket: Ticket) -> None:
    result = triage_ticket(ticket)
    if ticket.category_id is None and result.category is not None:
        ticket.category = result.category
    if ticket.team_id is None:
        ticket.team = result.team or (ticket.category.team if ticket.category else None)
    for name in ("escalation_probability", "confidence", "sentiment", "frustration"):
        value = getattr(result, name)
        if value is not None:
            setattr(ticket, name, value)
    if result.priority:
        ticket.priority = result.priority
