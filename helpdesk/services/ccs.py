"""Colleagues copied on a ticket (CC): people of the customer's organization who follow it too.

A CC is the e-mail channel's `TicketCc(ticket, email)`: whoever is copied, in the portal or on an
e-mail, hears back with the customer, may write into the ticket, and — with a login at that address —
follows it in the portal.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from helpdesk.events import event_record
from helpdesk.models import Customer, Ticket, TicketCc
from helpdesk.permissions import can_view_ticket, customer_of
from helpdesk.services import errors

ERR_CC_OTHER_ORGANIZATION = gettext_noop("Only people of the ticket's organization can be copied on it.")
ERR_CC_ALREADY = gettext_noop("This person is already on the ticket.")


def cc_candidates(ticket: Ticket) -> QuerySet[Customer]:
    """Customers of the ticket's organization who could be copied on it (not its requester or its CCs)."""
    if not ticket.organization_id:
        return Customer.objects.none()
    copied = TicketCc.objects.filter(ticket_id=ticket.pk, email__iexact=OuterRef("user__email"))
    return (
        Customer.objects.filter(organization_id=ticket.organization_id, user__is_active=True)
        .exclude(user_id=ticket.customer_id)
        .exclude(user__email="")
        .exclude(Exists(copied))
        .select_related("user")
        .order_by("user__first_name", "user__last_name", "user__email")
    )


def ticket_ccs(ticket: Ticket) -> list[TicketCc]:
    return list(TicketCc.objects.filter(ticket_id=ticket.pk).order_by("created_at", "id"))


def ticket_cc_add(*, ticket: Ticket, user: AbstractBaseUser, added_by: AbstractBaseUser) -> TicketCc:
    """Copy a colleague on the ticket; customers may add only people of the ticket's own organization."""
    if not can_view_ticket(added_by, ticket):
        raise PermissionDenied(errors.ERR_NOT_YOUR_TICKET)
    colleague = customer_of(user)
    if colleague is None or colleague.organization_id != ticket.organization_id or not user.email:
        raise ValidationError({"user": [_(ERR_CC_OTHER_ORGANIZATION)]})
    email = user.email.strip().lower()
    if user.pk == ticket.customer_id or TicketCc.objects.filter(ticket=ticket, email__iexact=email).exists():
        raise ValidationError({"user": [_(ERR_CC_ALREADY)]})
    try:
        with transaction.atomic():
            cc = TicketCc.objects.create(ticket=ticket, email=email)
            event_record(ticket=ticket, code="ticket.cc_added", actor=added_by, to_value=email[:40])
    except IntegrityError as exc:
        raise ValidationError({"user": [_(ERR_CC_ALREADY)]}) from exc
    return cc


def ticket_cc_remove(*, ticket: Ticket, email: str, removed_by: AbstractBaseUser) -> None:
    """Take someone off the ticket's copies."""
    if not can_view_ticket(removed_by, ticket):
        raise PermissionDenied(errors.ERR_NOT_YOUR_TICKET)
    with transaction.atomic():
        deleted, _rows = TicketCc.objects.filter(ticket=ticket, email__iexact=email.strip()).delete()
        if deleted:
            event_record(ticket=ticket, code="ticket.cc_removed", actor=removed_by, to_value=email[:40])
