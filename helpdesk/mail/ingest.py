"""One code path for every e-mail that comes in: the webhook, the MTA pipe (`receive_email`) and IMAP
polling (`fetch_mail`) all call `email_ingest`.

1. Keep the original, byte for byte (InboundEmail), whatever happens next.
2. Machine mail (helpdesk.mail.safety) is ignored: no ticket, no answer.
3. The same e-mail delivered twice makes one message.
4. A reply to a ticket (helpdesk.mail.thread) adds a message with the newest text only (quoted history
   and signature trimmed); anything else opens a ticket for the sender, who becomes a customer if new
   (their organization found by the e-mail domain).
5. Files and inline images are stored within the attachment limits; a file refused is named on the
   message, the e-mail itself is never lost.
6. People copied on the e-mail are copied on the ticket; the mailbox's team is a routing hint.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError

from helpdesk.mail.parse import TICKET_REF_RE, ParsedEmail, parse_email
from helpdesk.mail.safety import ignore_reason
from helpdesk.mail.thread import may_write_into, ticket_for_email
from helpdesk.models import (
    Channel,
    InboundEmail,
    InboundOutcome,
    Mailbox,
    Message,
    OrganizationDomain,
    Status,
    Ticket,
    TicketCc,
)
from helpdesk.services.attachments import IncomingFile, attachments_check, clean_name
from helpdesk.services.customers import customer_get_or_create
from helpdesk.services.messages import message_add
from helpdesk.services.tickets import ticket_create
from helpdesk.unit_of_work import unit_of_work

logger = logging.getLogger(__name__)

DUPLICATE = "duplicate"
# Ticket metadata: the team of the mailbox the e-mail came to (escalation.placement reads it as a hint).
MAILBOX_TEAM = "mailbox_team"
# Ticket metadata: where the customer asked answers to go (their Reply-To), when not their From address.
REPLY_TO = "reply_to"
NO_SUBJECT = "(no subject)"
NO_TEXT = "(no text: see the attached files)"
TRIMMED = "\n\n[… shortened: the whole e-mail is kept with the ticket]"
FILE_NOT_KEPT = "[Attachment not kept: {reason}]"


@dataclass(frozen=True)
class IngestResult:
    ticket: int | None = None
    message: int | None = None
    created: bool = False
    ignored: str | None = None
    inbound: int | None = None

    def as_json(self) -> dict:
        if self.ignored:
            answer = {"ignored": self.ignored}
            if self.ticket:
                answer.update(ticket=self.ticket, message=self.message)
            return answer
        return {"ticket": self.ticket, "message": self.message, "created": self.created}


def email_ingest(*, raw: bytes, via: str, mailbox: Mailbox | None = None) -> IngestResult:
    """Turn one raw RFC 822 e-mail into a ticket or a message (or nothing, with the reason)."""
    email = parse_email(raw)
    mailbox = mailbox or _mailbox_for(email)
    inbound = InboundEmail(
        via=via,
        mailbox=mailbox,
        raw=raw,
        message_id_header=email.message_id[:255],
        sender=email.sender[:254],
        subject=email.subject[:255],
        text=email.text,
        html=email.html,
        outcome=InboundOutcome.IGNORED,
    )
    reason = ignore_reason(email)
    if reason:
        inbound.reason = reason
        inbound.save()
        return IngestResult(ignored=reason, inbound=inbound.pk)
    try:
        result = _act_on(email, inbound, mailbox)
    except Exception as exc:  # kept, with what went wrong, for an admin to look at
        logger.exception("an incoming e-mail from %s could not be turned into a ticket", email.sender)
        inbound.outcome, inbound.reason = InboundOutcome.FAILED, str(exc)[:200]
        inbound.save()
        raise
    return result


def _act_on(email: ParsedEmail, inbound: InboundEmail, mailbox: Mailbox | None) -> IngestResult:
    ticket = ticket_for_email(email)
    if ticket is not None and email.message_id:
        existing = Message.objects.filter(ticket=ticket, message_id=email.message_id).first()
        if existing is not None:
            return _duplicate(inbound, ticket.pk, existing.pk)
    elif email.message_id:
        first = Message.objects.filter(message_id=email.message_id).values_list("ticket_id", "pk").first()
        if first is not None:  # opened a ticket already, and came again
            return _duplicate(inbound, *first)

    files, refused = _acceptable_files(email.files)
    refused += [f"{name} could not be read" for name in email.unreadable_parts]
    author = _sender_user(email, ticket)
    try:
        # routing, SLA and the e-mails this change hands on leave for the worker as one message
        with unit_of_work():
            if ticket is not None and ticket.status != Status.CLOSED:
                message_pk = _add_reply(ticket, author, email, files, refused).pk
                created = False
            else:
                ticket = _open_ticket(author, email, files, refused, mailbox)
                message_pk = Message.objects.filter(ticket=ticket).values_list("pk", flat=True).first()
                created = True
            _copy_people(ticket, email, mailbox)
            inbound.outcome = InboundOutcome.CREATED if created else InboundOutcome.THREADED
            inbound.ticket, inbound.message_id = ticket, message_pk
            inbound.save()
    except IntegrityError:
        # Two deliveries of one e-mail at the same moment: the other one made the message.
        existing = Message.objects.filter(message_id=email.message_id).values_list("ticket_id", "pk").first()
        if not email.message_id or existing is None:
            raise
        return _duplicate(inbound, *existing)
    return IngestResult(ticket=ticket.pk, message=message_pk, created=created, inbound=inbound.pk)


def _duplicate(inbound: InboundEmail, ticket_id: int, message_id: int) -> IngestResult:
    inbound.reason, inbound.ticket_id, inbound.message_id = DUPLICATE, ticket_id, message_id
    inbound.save()
    return IngestResult(ticket=ticket_id, message=message_id, ignored=DUPLICATE, inbound=inbound.pk)


def _mailbox_for(email: ParsedEmail) -> Mailbox | None:
    if not email.to and not email.cc:
        return None
    return Mailbox.objects.filter(email_address__in=[*email.to, *email.cc], is_active=True).first()


def _sender_user(email: ParsedEmail, ticket: Ticket | None = None) -> AbstractBaseUser:
    """The sender's user; a new sender becomes a customer of the organization owning their domain —
    or, someone copied on the ticket they answer, of the ticket's organization when they share the
    customer's domain (a colleague, not a new organization named after the domain)."""
    User = get_user_model()
    user = User.objects.filter(email__iexact=email.sender).select_related("customer").order_by("pk").first()
    if user is not None:
        return user
    domain = email.sender.rpartition("@")[2]
    owner = OrganizationDomain.objects.filter(domain=domain).select_related("organization").first()
    organization = owner.organization.name if owner else ""
    if (
        not organization
        and ticket is not None
        and ticket.organization_id
        and (ticket.customer.email or "").lower().rpartition("@")[2] == domain
        and may_write_into(ticket, email.sender)
    ):
        organization = ticket.organization.name
    return customer_get_or_create(email=email.sender, name=email.sender_name, organization_name=organization)


def _acceptable_files(files: list[IncomingFile]) -> tuple[list[IncomingFile], list[str]]:
    """Each file on its own against the limits: one refused file does not cost the others."""
    kept: list[IncomingFile] = []
    refused: list[str] = []
    for f in files:
        if len(kept) >= settings.ATTACHMENT_MAX_PER_MESSAGE:
            refused.append(
                f"{clean_name(f.name)}: at most {settings.ATTACHMENT_MAX_PER_MESSAGE} files per message"
            )
            continue
        try:
            attachments_check([f])
        except ValidationError as exc:
            refused.extend(m for messages in exc.message_dict.values() for m in messages)
        else:
            kept.append(f)
    return kept, refused


def _body(text: str, files: list[IncomingFile], refused: list[str]) -> str:
    body = text.strip()
    notes = "\n".join(FILE_NOT_KEPT.format(reason=reason) for reason in refused)
    limit = settings.TICKET_BODY_MAX - len(notes) - len(TRIMMED) - 4
    if len(body) > limit:
        body = body[:limit].rstrip() + TRIMMED
    if not body and not files:
        body = NO_TEXT if refused else ""
    if not body and files:
        body = NO_TEXT
    return "\n\n".join(part for part in (body, notes) if part)


def _subject(email: ParsedEmail) -> str:
    subject = TICKET_REF_RE.sub("", email.subject).strip() or NO_SUBJECT
    return subject[: settings.TICKET_SUBJECT_MAX]


def _open_ticket(
    author: AbstractBaseUser,
    email: ParsedEmail,
    files: list[IncomingFile],
    refused: list[str],
    mailbox: Mailbox | None,
) -> Ticket:
    # A new ticket keeps the whole text: a forwarded conversation is what the customer asks about.
    body = _body(email.text, files, refused) or NO_TEXT
    metadata = {}
    if mailbox is not None and mailbox.team_id:
        metadata[MAILBOX_TEAM] = mailbox.team_id
    if email.reply_to:
        metadata[REPLY_TO] = email.reply_to
    return ticket_create(
        customer=author,
        subject=_subject(email),
        body=body,
        channel=Channel.EMAIL,
        attachments=files,
        message_id=email.message_id,
        metadata=metadata,
    )


def _add_reply(
    ticket: Ticket,
    author: AbstractBaseUser,
    email: ParsedEmail,
    files: list[IncomingFile],
    refused: list[str],
) -> Message:
    body = _body(email.reply_text(), files, refused) or NO_TEXT
    copied = False
    if author.pk != ticket.customer_id and not hasattr(author, "agent"):
        copied = True  # someone else on the conversation (copied, or given our Message-ID by the customer)
        TicketCc.objects.get_or_create(ticket=ticket, email=email.sender)
    add = functools.partial(
        message_add,
        ticket=ticket,
        author=author,
        body=body,
        channel=Channel.EMAIL,
        attachments=files,
        message_id=email.message_id,
    )
    try:
        return add(copied=copied)
    except PermissionDenied:
        # An agent of another team answered by e-mail: their words are kept, on the customer's side
        # of the conversation as a copied participant would be.
        return add(copied=True)


def _copy_people(ticket: Ticket, email: ParsedEmail, mailbox: Mailbox | None) -> None:
    """Everyone else on the e-mail's Cc, and on its To, is copied on the ticket, except our own addresses.

    A To line holding none of our addresses names where the e-mail was sent: a support address nobody
    configured as a mailbox (a forwarding service in front of the webhook, say). That address is ours
    too, and copying it would send every reply back to ourselves, so such a To line copies nobody.
    """
    involved = {(ticket.customer.email or "").lower(), email.sender}
    candidates = [a for a in dict.fromkeys([*email.to, *email.cc]) if a not in involved]
    if not candidates:
        return
    mailboxes = set(
        Mailbox.objects.filter(email_address__in=candidates).values_list("email_address", flat=True)
    )
    if mailbox is not None:
        mailboxes.add(mailbox.email_address.lower())

    def ours(address: str) -> bool:
        return (
            address == settings.HELPDESK_FROM_EMAIL.lower()
            or address in mailboxes
            or address.endswith(_our_domains())
        )

    to_line = email.to if any(ours(a) for a in email.to) else []
    for address in dict.fromkeys([*to_line, *email.cc]):
        if address not in involved and not ours(address):
            TicketCc.objects.get_or_create(ticket=ticket, email=address)


def _our_domains() -> tuple[str, ...]:
    domains = {settings.HELPDESK_FROM_EMAIL.rpartition("@")[2].lower()}
    return tuple(f"@{d}" for d in domains if d)


__all__ = ["IngestResult", "email_ingest", "may_write_into"]
