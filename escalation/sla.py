"""SLA due times for a ticket.

First version: the ticket's tier targets (tier 1 until routing sets one), in wall-clock time from creation.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from helpdesk.models import Ticket, Tier


def sla_apply(ticket: Ticket, *, now: dt.datetime | None = None) -> None:
    """Set the ticket's due times on the instance (the caller saves)."""
    tier = ticket.tier or Tier.objects.order_by("level").first()
    if tier is None:
        return
    start = ticket.created_at or now or timezone.now()
    if ticket.first_response_at is None:
        ticket.first_response_due = start + dt.timedelta(minutes=tier.first_response_minutes)
    ticket.resolution_due = start + dt.timedelta(minutes=tier.resolution_minutes)


SLA_FIELDS = ["first_response_due", "next_reply_due", "resolution_due"]
