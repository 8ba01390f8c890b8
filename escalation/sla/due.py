"""SLA due times for a ticket (the seam intake and routing call).

The ticket's policy (escalation.sla.policies) gives its targets and business-hours calendar; its SLA
state (escalation.models.sla.TicketSla) gives the time the clock stood still and the unanswered customer
message; escalation.sla.clock turns both into due times. The SLA state itself is kept up to date by
escalation.sla.state (after each change) and the sweep (escalation.sla.sweep).
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from escalation.models.sla import SlaPolicy, Target, TicketSla
from escalation.routing import read_ahead
from escalation.sla.business_time import WorkingHours
from escalation.sla.clock import windows
from escalation.sla.policies import current_book
from helpdesk.models import Ticket

SLA_FIELDS = ["first_response_due", "next_reply_due", "resolution_due"]


def sla_apply(ticket: Ticket, *, now: dt.datetime | None = None) -> None:
    """Set the ticket's due times on the instance (the caller saves)."""
    if ticket.created_at is None:
        ticket.created_at = now or timezone.now()
    book = current_book()
    ahead = read_ahead.current()
    state = ahead.sla_state(ticket) if ahead else None
    if state is None:
        state = (TicketSla.objects.filter(pk=ticket.pk).first() if ticket.pk else None) or TicketSla()
    policy = book.policy_for(ticket)
    set_due_times(ticket, state, policy, book.hours_for(policy))


def set_due_times(
    ticket: Ticket, state: TicketSla, policy: SlaPolicy | None, hours: WorkingHours | None
) -> list[str]:
    """Write the due times of the ticket's running windows onto it; return the names of changed fields.

    Closed and resolved tickets keep the due times they had. A met first response keeps its due time
    (reports compare it with the response); no unanswered message means no next-reply due time.
    """
    if policy is None or not (ticket.pk is None or ticket.is_open):
        return []
    due = {window.target: window.due for window in windows(ticket, state, policy, hours)}
    values = {
        "first_response_due": due.get(Target.FIRST_RESPONSE, ticket.first_response_due),
        "next_reply_due": due.get(Target.NEXT_REPLY),
        "resolution_due": due.get(Target.RESOLUTION, ticket.resolution_due),
    }
    changed = [name for name, value in values.items() if getattr(ticket, name) != value]
    for name in changed:
        setattr(ticket, name, values[name])
    return changed
