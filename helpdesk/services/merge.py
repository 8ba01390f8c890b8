"""Merging a ticket into another of the same customer, and links between tickets.

A merge moves the conversation (messages and their files) and the event log over to the ticket that
stays, tells the customer there with a public system message, closes the merged ticket and remembers
where it went: its number keeps leading to the ticket that stays.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from helpdesk.events import event_record
from helpdesk.locale import customer_language
from helpdesk.models import Attachment, AuthorKind, LinkKind, Message, Status, Ticket, TicketEvent, TicketLink
from helpdesk.permissions import can_work_ticket
from helpdesk.services import errors
from helpdesk.services.message_ids import email_message_id
from helpdesk.services.tickets import locked_ticket

ERR_MERGE_SELF = "A ticket cannot be merged into itself."
ERR_MERGE_CUSTOMER = "Only tickets of the same customer can be merged (the conversation moves with it)."
ERR_MERGE_TARGET_MERGED = "Ticket #{pk} was itself merged into #{into}: merge into that one."
ERR_ALREADY_MERGED = "This ticket was already merged into #{into}."
ERR_TARGET_CLOSED = "Ticket #{pk} is closed: merge into an open or resolved ticket."
ERR_LINK_SELF = "A ticket cannot be linked to itself."

MERGED_NOTICE = gettext_noop(
    "Your request #%(source)s (%(subject)s) is the same matter as this one, so we have joined them: "
    "the whole conversation is here now, and we continue with it on #%(target)s."
)


def ticket_merge(*, source: Ticket, target: Ticket, actor: AbstractBaseUser) -> Ticket:
    """Merge `source` into `target`; returns the target. Both must be tickets the actor works."""
    if not (can_work_ticket(actor, source) and can_work_ticket(actor, target)):
        raise PermissionDenied(errors.ERR_NOT_YOUR_TICKET)
    if source.pk == target.pk:
        raise ValidationError({"into": [ERR_MERGE_SELF]})
    with transaction.atomic():
        # Lock both rows in id order so two crossing merges cannot deadlock.
        first, second = sorted([source.pk, target.pk])
        locked = {first: locked_ticket(first), second: locked_ticket(second)}
        source, target = locked[source.pk], locked[target.pk]
        if source.merged_into_id:
            raise ValidationError(
                {"non_field_errors": [ERR_ALREADY_MERGED.format(into=source.merged_into_id)]}
            )
        if target.merged_into_id:
            raise ValidationError(
                {"into": [ERR_MERGE_TARGET_MERGED.format(pk=target.pk, into=target.merged_into_id)]}
            )
        if target.status == Status.CLOSED:
            raise ValidationError({"into": [ERR_TARGET_CLOSED.format(pk=target.pk)]})
        if source.customer_id != target.customer_id:
            raise ValidationError({"into": [ERR_MERGE_CUSTOMER]})
        now = timezone.now()
        Message.objects.filter(ticket=source).update(ticket=target)
        Attachment.objects.filter(ticket=source).update(ticket=target)
        # The event log is append-only for everything else; a merge re-homes whole histories, unchanged.
        models.QuerySet(TicketEvent).filter(ticket=source).update(ticket=target)
        target.tags.add(*source.tags.all())
        target.followers.add(*source.followers.all())
        TicketLink.objects.filter(source=source).exclude(target=target).update(source=target)
        TicketLink.objects.filter(target=source).exclude(source=target).update(target=target)
        TicketLink.objects.filter(models.Q(source=source) | models.Q(target=source)).delete()
        Ticket.objects.filter(merged_into=source).update(merged_into=target)
        with translation.override(customer_language(target.customer, target)):  # written for the customer
            notice_body = _(MERGED_NOTICE) % {
                "source": source.pk,
                "subject": source.subject,
                "target": target.pk,
            }
        notice = Message.objects.create(
            ticket=target,
            author=None,
            author_kind=AuthorKind.SYSTEM,
            channel=target.channel,
            body=notice_body,
            message_id=email_message_id(target.pk),
            created_at=now,
        )
        old_status = source.status
        source.merged_into = target
        source.status = Status.CLOSED
        source.closed_at = now
        source.assignee = None
        source.save(update_fields=["merged_into", "status", "closed_at", "assignee", "updated_at"])
        if target.status == Status.RESOLVED:
            target.status = Status.OPEN
            target.resolved_at = None
        target.save(update_fields=["status", "resolved_at", "updated_at"])
        event_record(
            ticket=source,
            code="ticket.merged",
            actor=actor,
            from_value=old_status,
            to_value=str(target.pk),
            details={"into": target.pk},
        )
        event_record(
            ticket=target,
            code="ticket.merged_in",
            actor=actor,
            from_value=str(source.pk),
            # the notice's message: helpdesk.mail.outbound e-mails it to the customer
            details={"merged": source.pk, "subject": source.subject, "message_id": notice.pk},
        )
    return target


def ticket_link(*, source: Ticket, target: Ticket, kind: str, actor: AbstractBaseUser) -> TicketLink:
    """Record that `source` is related to / a duplicate of / caused by `target` (once per kind)."""
    if not (can_work_ticket(actor, source) and can_work_ticket(actor, target)):
        raise PermissionDenied(errors.ERR_NOT_YOUR_TICKET)
    if kind not in LinkKind.values:
        raise ValidationError({"kind": [f"Choose one of: {', '.join(LinkKind.values)}."]})
    if source.pk == target.pk:
        raise ValidationError({"target": [ERR_LINK_SELF]})
    with transaction.atomic():
        link, created = TicketLink.objects.get_or_create(
            source=source, target=target, kind=kind, defaults={"created_by": actor}
        )
        if created:
            label = f"{LinkKind(kind).label.lower()} #{target.pk}"
            event_record(
                ticket=source,
                code="ticket.linked",
                actor=actor,
                to_value=label[:40],
                details={"target": target.pk, "kind": kind},
            )
    return link


def ticket_unlink(*, link: TicketLink, actor: AbstractBaseUser) -> None:
    if not can_work_ticket(actor, link.source):
        raise PermissionDenied(errors.ERR_NOT_YOUR_TICKET)
    link.delete()
