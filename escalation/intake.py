"""The synchronous first look at a new ticket, before it is saved (settings.HELPDESK_INTAKE_HOOK).

Fast and side-effect free: a triage guess and the SLA due times, so the creating client sees them at
once. Routing proper (rules, scoring, the agent) runs afterwards in the background.
"""

from __future__ import annotations

from escalation.sla import sla_apply
from escalation.triage.intake import apply_triage
from helpdesk.models import Ticket


def prepare_new_ticket(ticket: Ticket) -> None:
    apply_triage(ticket)
    sla_apply(ticket, now=ticket.created_at)
