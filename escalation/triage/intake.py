"""The synchronous first guess at intake (see settings.HELPDESK_INTAKE_TRIAGE).

It only fills what the customer did not say, and must stay fast: intake never waits for routing.
"""

from __future__ import annotations

from escalation.triage.keywords import best_category
from helpdesk.models import Ticket


def triage_new_ticket(ticket: Ticket) -> None:
    if ticket.category_id is None:
        match = best_category(f"{ticket.subject}\n{ticket.body}")
        if match is not None:
            ticket.category = match.category
    if ticket.team_id is None and ticket.category is not None:
        ticket.team = ticket.category.team
