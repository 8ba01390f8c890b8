"""The per-customer limit on new tickets (settings.HELPDESK_TICKETS_PER_HOUR), for tickets customers
file themselves in the portal and through the API. Counted from the tickets table, so it is exact and
shared by every process; staff and integrations are limited by the API's rates instead."""

from __future__ import annotations

import datetime as dt
import math

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from helpdesk.models import Ticket

WINDOW = dt.timedelta(hours=1)
ERR_TOO_MANY_TICKETS = (
    "You have opened {limit} tickets in the last hour, the most we accept. Please add to one of your open "
    "tickets, or try again in {minutes} minute(s)."
)


def ticket_quota_wait(*, customer: AbstractBaseUser) -> int:
    """Seconds until the customer may open another ticket; 0 when they may now."""
    limit = settings.HELPDESK_TICKETS_PER_HOUR
    if not limit:
        return 0
    since = timezone.now() - WINDOW
    recent = list(
        Ticket.objects.filter(customer=customer, created_at__gte=since)
        .order_by("-created_at")
        .values_list("created_at", flat=True)[:limit]
    )
    if len(recent) < limit:
        return 0
    oldest_counted = recent[-1]
    return max(1, math.ceil((oldest_counted + WINDOW - timezone.now()).total_seconds()))


def ticket_quota_message(seconds: int) -> str:
    return ERR_TOO_MANY_TICKETS.format(
        limit=settings.HELPDESK_TICKETS_PER_HOUR, minutes=max(1, math.ceil(seconds / 60))
    )
