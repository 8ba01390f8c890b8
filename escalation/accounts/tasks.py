"""Background tasks for account health (django-q2): ids in, safe to run twice."""

from __future__ import annotations

from escalation.accounts.services import account_health_refresh, account_health_request
from helpdesk.models import Organization, Ticket


def refresh_account_health(organization_id: int) -> float | None:
    record = account_health_refresh(organization_id=organization_id, trigger="ticket")
    return record.score if record else None


def account_health_after_ticket(ticket_id: int) -> None:
    """A ticket changed: its organization's health is refreshed (debounced)."""
    organization_id = Ticket.objects.filter(pk=ticket_id).values_list("organization_id", flat=True).first()
    if organization_id:
        account_health_request(organization_id=organization_id, trigger="ticket")


def refresh_all_accounts() -> str:
    """The scheduled pass: every organization's health, one at a time (each in its own transaction)."""
    at_risk = 0
    ids = list(Organization.objects.order_by("pk").values_list("pk", flat=True))
    for organization_id in ids:
        record = account_health_refresh(organization_id=organization_id, trigger="schedule")
        at_risk += bool(record and record.at_risk)
    return f"{len(ids)} account(s) scored, {at_risk} at risk"
