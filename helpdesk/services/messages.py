"""The conversation: customer replies, agent replies and internal notes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import File
from django.utils import timezone

from helpdesk.events import event_record
from helpdesk.models import AuthorKind, Message, MessageChannel, Status, Ticket, Trigger
from helpdesk.permissions import can_view_ticket, can_work_ticket
from helpdesk.services import errors
from helpdesk.services.attachments import IncomingFile, as_incoming, attachments_check, attachments_store
from helpdesk.services.changes import ticket_status_change
from helpdesk.services.collaboration import message_notify_people
from helpdesk.services.message_ids import email_message_id
from helpdesk.services.tickets import locked_ticket, ticket_reopen
from helpdesk.unit_of_work import unit_of_work

AGENT_CODES = {AuthorKind.AGENT: "message.agent", AuthorKind.SYSTEM: "message.system"}


def _author_kind(ticket: Ticket, user: AbstractBaseUser | None, *, copied: bool = False) -> str:
    if user is None:
        return AuthorKind.SYSTEM  # automation (an automatic answer from the knowledge base)
    if user.pk == ticket.customer_id or copied:
        return AuthorKind.CUSTOMER
    if can_work_ticket(user, ticket):
        return AuthorKind.AGENT
    if can_view_ticket(user, ticket):  # a colleague copied on it, or the organization's admin
        return AuthorKind.CUSTOMER
    raise PermissionDenied(errors.ERR_NOT_YOUR_TICKET)


def _default_channel(kind: str, ticket: Ticket) -> str:
    if kind == AuthorKind.CUSTOMER:
        return ticket.channel
    return MessageChannel.WEB if kind == AuthorKind.AGENT else ""


def message_add(
    *,
    ticket: Ticket,
    author: AbstractBaseUser | None,
    body: str,
    internal: bool = False,
    channel: str | None = None,
    then_status: str | None = None,
    attachments: Sequence[File | IncomingFile] = (),
    message_id: str = "",
    copied: bool = False,
) -> Message:
    """Add a reply or note and move the ticket along.

    - A customer reply reopens a resolved ticket, resumes a pending one, and is refused on a closed one.
    - An agent's first public reply sets the first-response time; `then_status` (pending, on hold,
      resolved ...) applies after, in the same transaction ("send and resolve").
    - Internal notes change nothing but the conversation, and never reach the customer.
    - `author=None` is the system (automation): it answers like an agent, recorded as `message.system`.
    - Attachments are checked before anything is written; a message may be files alone.
    - `message_id` is the e-mail Message-ID the message arrived with (threading); a public message
      written here gets one of ours (email_message_id), the one its e-mail will carry.
    - `copied`: the author is someone copied on the ticket's e-mails (a CC), who writes on the
      customer's side; the caller checked they are on the ticket.
    - Without a `channel`, a customer writes through the ticket's channel, an agent in the agent
      workspace (`web`), and automation through none.
    """
    body = (body or "").strip()
    files = as_incoming(attachments)
    kind = _message_check(ticket, author, body, files, internal=internal, copied=copied)

    with unit_of_work():  # scoring, reassessment, SLA: one broker message
        locked = locked_ticket(ticket)
        if locked.status == Status.CLOSED:
            raise ValidationError({"body": [errors.ERR_TICKET_CLOSED]})
        now = timezone.now()
        if kind == AuthorKind.CUSTOMER and locked.status == Status.RESOLVED:
            locked = _reopen_on_reply(locked, author)
        old_status = locked.status
        message = Message.objects.create(
            ticket=locked,
            author=author,
            author_kind=kind,
            is_internal=internal,
            channel=channel or _default_channel(kind, locked),
            body=body,
            message_id=(message_id or ("" if internal else email_message_id(locked.pk)))[:255],
            created_at=now,
        )
        if files:
            attachments_store(message=message, files=files, uploaded_by=author)
        _move_ticket_along(locked, kind=kind, internal=internal, now=now)
        _message_record(locked, message, author=author, kind=kind, old_status=old_status)
        message_notify_people(message=message, ticket=locked, author=author)
        if then_status and kind != AuthorKind.CUSTOMER and then_status != locked.status:
            ticket_status_change(
                ticket=locked, status=then_status, actor=author, reason="Set with the reply."
            )
    return message


def _message_check(
    ticket: Ticket,
    author: AbstractBaseUser | None,
    body: str,
    files: list[IncomingFile],
    *,
    internal: bool,
    copied: bool,
) -> str:
    """Refuse a message that cannot be written, before anything is: the author's kind when it can."""
    attachments_check(files)
    if not body and not files:
        raise ValidationError({"body": [errors.ERR_MESSAGE_EMPTY]})
    if len(body) > settings.TICKET_BODY_MAX:
        raise ValidationError({"body": [f"Keep the message under {settings.TICKET_BODY_MAX:,} characters."]})
    kind = _author_kind(ticket, author, copied=copied)
    if kind == AuthorKind.CUSTOMER and internal:
        raise ValidationError({"internal": [errors.ERR_CUSTOMER_NOTE]})
    return kind


def _reopen_on_reply(ticket: Ticket, author: AbstractBaseUser | None) -> Ticket:
    by_customer = author is not None and author.pk == ticket.customer_id
    reason = "The customer wrote again." if by_customer else "Someone copied on the ticket wrote again."
    return ticket_reopen(ticket=ticket, actor=author, reason=reason, trigger=Trigger.MANUAL)


def _move_ticket_along(ticket: Ticket, *, kind: str, internal: bool, now: dt.datetime) -> None:
    """What a message changes on its ticket: the customer's reply resumes a paused ticket; an agent's
    first public reply is the first response and opens a new ticket; a note changes only the time."""
    fields = ["updated_at"]
    if kind == AuthorKind.CUSTOMER:
        ticket.last_customer_message_at = now
        fields.append("last_customer_message_at")
        if ticket.status in (Status.PENDING, Status.ON_HOLD):
            ticket.status = Status.OPEN
            fields.append("status")
    else:
        ticket.last_agent_activity_at = now
        fields.append("last_agent_activity_at")
        if not internal:
            if ticket.first_response_at is None:
                ticket.first_response_at = now
                fields.append("first_response_at")
            if ticket.status == Status.NEW:
                ticket.status = Status.OPEN
                fields.append("status")
    ticket.save(update_fields=fields)


def _message_record(
    ticket: Ticket, message: Message, *, author: AbstractBaseUser | None, kind: str, old_status: str
) -> None:
    """The events of a new message: the status change it caused first, then the message itself (the
    message is the news, so it is what people hear last)."""
    if old_status != ticket.status:
        event_record(
            ticket=ticket,
            code="ticket.status_changed",
            actor=author,
            trigger=Trigger.SYSTEM,
            reason="A message arrived.",
            from_value=old_status,
            to_value=ticket.status,
        )
    details = {"message_id": message.pk}
    if kind == AuthorKind.CUSTOMER and author is not None and author.pk != ticket.customer_id:
        details["copied"] = True  # a CC (or a colleague) wrote, not the customer: the log says so
    if kind == AuthorKind.CUSTOMER:
        code = "message.customer"
    else:
        code = "message.note" if message.is_internal else AGENT_CODES[kind]
    event_record(ticket=ticket, code=code, actor=author, details=details)
