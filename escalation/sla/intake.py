"""The synchronous first look at a new ticket, before it is saved (settings.HELPDESK_INTAKE_HOOK).

The language it should be answered in (escalation.triage.language: profile, text, portal) and the SLA
due times for the priority the ticket starts with: cheap and query-free, so the creating client sees
them at once. Triage (category, team, priority, sentiment) is routing's first step and runs
once, in the background routing task, which also moves the due times when triage changes the priority.
"""

from __future__ import annotations

from escalation.sla.due import sla_apply
from escalation.triage.language import settle_language
from helpdesk.models import Ticket


def prepare_new_ticket(ticket: Ticket) -> None:
    sla_apply(ticket, now=ticket.created_at)
    settle_language(ticket)
