"""E-mails to customers: what is due after which ticket event, and sending it with retries.

Due after (customer_mail_for_event, run by the worker after the change committed):
- `ticket.created`: an acknowledgement with the ticket number, when the ticket's team sends them;
- `message.agent` / `message.system`: every public reply (not phone-call notes); `ticket.merged_in`:
  the notice telling the customer their other request joined this ticket;
- `ticket.status_changed` to pending: a notice that we wait for the customer (not when the reply that
  set it was just e-mailed: that e-mail says it);
- `ticket.resolved`: a notice with the rating request (one-click links, helpdesk.mail.rating);
- `message.customer` written by someone copied on the ticket (a CC, by e-mail or in the portal): that
  message, under its author's name, to the customer and the other CCs (not to its author, nor to those
  who were on the e-mail it came in, who have it already).

Each e-mail has a text and an HTML part, the team's address as sender and Reply-To, the ticket number in
the subject, our own Message-ID (stored on the message it carries) and In-Reply-To/References naming the
conversation's earlier e-mails, so mail clients show one thread and the customer's answer threads back.
A failed send stays queued (OutboundEmail) and is tried again by the schedule; when we give up, the
ticket's event log says so.
"""

from __future__ import annotations

import datetime as dt
import logging
from email import policy
from email.parser import BytesHeaderParser
from email.utils import getaddresses

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from helpdesk.events import event_record
from helpdesk.locale import customer_language
from helpdesk.mail.rating import rating_url
from helpdesk.models import (
    AuthorKind,
    InboundEmail,
    Message,
    MessageChannel,
    OutboundEmail,
    OutboundKind,
    OutboundState,
    Status,
    Ticket,
    TicketCc,
    TicketEvent,
    Trigger,
)
from helpdesk.models.tickets import SATISFACTION_LABELS
from helpdesk.services.message_ids import OUR_MESSAGE_ID_PREFIX, email_message_id

logger = logging.getLogger(__name__)

# Ticket events after which a customer may be due an e-mail (helpdesk.mail.receivers).
MAIL_EVENTS = frozenset(
    {
        "ticket.created",
        "message.agent",
        "message.system",
        "ticket.merged_in",
        "ticket.status_changed",
        "ticket.resolved",
    }
)
COPIED_EVENT = "message.customer"  # due only when its author is not the ticket's customer
REPLY_TO = "reply_to"  # ticket metadata written by helpdesk.mail.ingest
RETRY_AFTER = [dt.timedelta(minutes=m) for m in (1, 2, 5, 10, 30, 60)]
JUST_SENT = dt.timedelta(seconds=60)
REFERENCES_KEPT = 20
# Subjects, in the customer's language (German mail clients answer with "AW:", and so do we).
SUBJECTS = {
    OutboundKind.ACKNOWLEDGEMENT: gettext_noop("[#%(id)s] Received: %(subject)s"),
    OutboundKind.REPLY: gettext_noop("Re: [#%(id)s] %(subject)s"),
    OutboundKind.PENDING: gettext_noop("Re: [#%(id)s] %(subject)s"),
    OutboundKind.RESOLVED: gettext_noop("[#%(id)s] Resolved: %(subject)s"),
    OutboundKind.COPIED: gettext_noop("Re: [#%(id)s] %(subject)s"),
}


def new_message_id(ticket_id: int) -> str:
    return email_message_id(ticket_id)


def _message_id_for(ticket: Ticket, message: Message | None) -> str:
    """The Message-ID the e-mail goes out with: the one the message was given when it was written (so
    the API showed it before the worker sent anything), else a new one. A message that came in by
    e-mail (a CC's reply passed on to the customer) keeps its sender's ID; ours is a new one."""
    if (
        message is not None
        and message.message_id.startswith(OUR_MESSAGE_ID_PREFIX)
        and not OutboundEmail.objects.filter(message_id_header=message.message_id).exists()
    ):
        return message.message_id
    return new_message_id(ticket.pk)


def customer_mail_for_event(event_id: int) -> int | None:
    """The worker's task: queue and send the e-mail this event makes due, if any (once per event).
    Returns the OutboundEmail's id."""
    if not settings.HELPDESK_CUSTOMER_EMAILS:
        return None
    event = (
        TicketEvent.objects.select_related("ticket__customer__customer", "ticket__team")
        .filter(pk=event_id)
        .first()
    )
    if event is None:
        return None
    existing = OutboundEmail.objects.filter(event=event).first()
    if existing is not None:  # the task ran before (a retry of the task): send what is still due
        return outbound_send(existing.pk) if existing.state == OutboundState.QUEUED else existing.pk
    due = _due(event)
    if due is None:
        return None
    kind, message = due
    ticket = event.ticket
    recipients = customer_recipients(ticket)
    if kind == OutboundKind.COPIED:
        recipients = [a for a in recipients if a not in _already_told(message)]
    if not recipients:
        return None
    with transaction.atomic():
        outbound = OutboundEmail.objects.create(
            ticket=ticket,
            message=message,
            event=event,
            kind=kind,
            to=", ".join(recipients),
            subject=email_subject(kind, ticket)[:255],
            message_id_header=_message_id_for(ticket, message),
        )
        if message is not None and not message.message_id:  # written before messages got theirs
            Message.objects.filter(pk=message.pk).update(message_id=outbound.message_id_header)
    return outbound_send(outbound.pk)


def email_subject(kind: str, ticket: Ticket) -> str:
    with translation.override(customer_language(ticket.customer, ticket)):
        return _(SUBJECTS[kind]) % {"id": ticket.pk, "subject": ticket.subject}


def _due(event: TicketEvent) -> tuple[str, Message | None] | None:
    ticket = event.ticket
    if event.code == "ticket.created":
        if ticket.team_id and not ticket.team.acknowledge_new_tickets:
            return None
        return OutboundKind.ACKNOWLEDGEMENT, None
    if event.code in ("message.agent", "message.system", "ticket.merged_in"):  # merged in: its notice
        message = Message.objects.filter(pk=(event.details or {}).get("message_id")).first()
        if message is None or message.is_internal or message.channel == MessageChannel.PHONE:
            return None
        return OutboundKind.REPLY, message
    if event.code == "ticket.status_changed" and event.to_value == Status.PENDING:
        replied = (
            OutboundEmail.objects.filter(
                ticket=ticket, kind=OutboundKind.REPLY, created_at__gte=event.created_at - JUST_SENT
            ).exists()
            or Message.objects.filter(
                ticket=ticket,
                is_internal=False,
                author_kind__in=(AuthorKind.AGENT, AuthorKind.SYSTEM),
                created_at__gte=event.created_at - JUST_SENT,
            )
            .exclude(channel=MessageChannel.PHONE)
            .exists()
        )
        return None if replied else (OutboundKind.PENDING, None)
    if event.code == "ticket.resolved":
        return OutboundKind.RESOLVED, None
    if event.code == COPIED_EVENT:
        message = (
            Message.objects.select_related("author")
            .filter(pk=(event.details or {}).get("message_id"))
            .first()
        )
        if message is None or message.is_internal or message.author_id in (None, ticket.customer_id):
            return None
        return OutboundKind.COPIED, message
    return None


def _already_told(message: Message) -> set[str]:
    """The message's author, and everyone its e-mail (if it came by e-mail) was addressed to: they have
    it already (a CC who answers "reply all" reaches the customer directly)."""
    told = {(message.author.email or "").lower()} if message.author is not None else set()
    inbound = InboundEmail.objects.filter(message=message).only("raw").first()
    if inbound is not None:
        headers = BytesHeaderParser(policy=policy.default).parsebytes(bytes(inbound.raw))
        for name in ("To", "Cc", "From", "Reply-To"):
            told.update(address.lower() for _name, address in getaddresses(headers.get_all(name) or []))
    return told


def customer_recipients(ticket: Ticket) -> list[str]:
    """The customer (at their Reply-To address, if they gave one) and everyone copied on the ticket."""
    first = (ticket.metadata or {}).get(REPLY_TO) or ticket.customer.email
    if not first:
        return []
    people = [first.lower()]
    for address in TicketCc.objects.filter(ticket=ticket).values_list("email", flat=True):
        if address not in people:
            people.append(address)
    return people


def sender_for(ticket: Ticket) -> str:
    team = ticket.team
    address = (team.email if team is not None and team.email else "") or settings.HELPDESK_FROM_EMAIL
    # the display name in the active language (build_email renders under the customer's)
    name = _("%(team)s support") % {"team": team.name} if team is not None else _("Support")
    return '"{}" <{}>'.format(str(name).replace('"', "'"), address)


def _thread_ids(outbound: OutboundEmail) -> tuple[str, list[str]]:
    """In-Reply-To (the newest earlier e-mail of the conversation) and References (all of them)."""
    # Only IDs of e-mails that exist: those that came in, and those we sent (a message written in the
    # portal or the workspace has an ID from the start, but no e-mail carried it unless one was sent).
    earlier = [
        (m.created_at, m.message_id)
        for m in Message.objects.filter(
            ticket_id=outbound.ticket_id, channel=MessageChannel.EMAIL, created_at__lte=outbound.created_at
        ).exclude(message_id="")
        if m.message_id != outbound.message_id_header
    ]
    earlier += [
        (o.created_at, o.message_id_header)
        for o in OutboundEmail.objects.filter(
            ticket_id=outbound.ticket_id, created_at__lt=outbound.created_at
        )
    ]
    ids: list[str] = []
    for _when, value in sorted(earlier):
        if value not in ids:
            ids.append(value)
    ids = ids[-REFERENCES_KEPT:]
    return (ids[-1] if ids else ""), ids


def build_email(outbound: OutboundEmail) -> EmailMultiAlternatives:
    ticket = Ticket.objects.select_related("customer__customer", "team").get(pk=outbound.ticket_id)
    message = outbound.message
    base = settings.HELPDESK_BASE_URL
    language = customer_language(ticket.customer, ticket)
    context = {
        "language": language,
        "ticket": ticket,
        "kind": outbound.kind,
        "message": message,
        "author_name": "",  # in the customer's language, below
        "ticket_url": f"{base}{reverse('portal:ticket_detail', args=[ticket.pk])}",
        "rating_urls": (
            [(score, SATISFACTION_LABELS[score], rating_url(ticket, score)) for score in range(5, 0, -1)]
            if outbound.kind == OutboundKind.RESOLVED and ticket.can_be_rated()
            else []
        ),
    }
    in_reply_to, references = _thread_ids(outbound)
    headers = {"Message-ID": outbound.message_id_header, "X-Helpdesk-Ticket": str(ticket.pk)}
    if in_reply_to:
        headers["In-Reply-To"] = in_reply_to
        headers["References"] = " ".join(references)
    if outbound.kind not in (OutboundKind.REPLY, OutboundKind.COPIED) or (
        message and message.author_kind == AuthorKind.SYSTEM
    ):
        # RFC 3834: automatic mail, so the customer's own robots (out of office) do not answer it.
        headers["Auto-Submitted"] = (
            "auto-replied" if outbound.kind == OutboundKind.ACKNOWLEDGEMENT else "auto-generated"
        )
        headers["X-Auto-Response-Suppress"] = "All"
    recipients = [a.strip() for a in outbound.to.split(",") if a.strip()]
    with translation.override(language):  # every word the customer reads, in their language
        sender = sender_for(ticket)
        context["author_name"] = _author_name(message)
        text = render_to_string("mail/customer.txt", context)
        html = render_to_string("mail/customer.html", context)
    mail = EmailMultiAlternatives(
        subject=outbound.subject,
        body=text,
        from_email=sender,
        to=recipients[:1],
        cc=recipients[1:],
        reply_to=[sender],
        headers=headers,
    )
    mail.attach_alternative(html, "text/html")
    return mail


def _author_name(message: Message | None) -> str:
    if message is not None and message.author is not None and message.author_kind == AuthorKind.CUSTOMER:
        # someone copied on the ticket: their whole name
        return message.author.get_full_name() or message.author.email or message.author.get_username()
    if message is None or message.author is None or not message.author.first_name:
        return _("Support")
    return message.author.first_name


def outbound_send(outbound_id: int) -> int:
    """Send one queued or failed e-mail now; on failure keep it for the next try (or give up, on the
    ticket's event log). Safe to run twice: a sent e-mail is not sent again."""
    with transaction.atomic():
        outbound = (
            OutboundEmail.objects.select_for_update()
            .filter(pk=outbound_id, state__in=(OutboundState.QUEUED, OutboundState.FAILED))
            .first()
        )
        if outbound is None:
            return outbound_id
        outbound.attempts += 1
        try:
            with get_connection() as connection:
                connection.send_messages([build_email(outbound)])
        except Exception as exc:  # any failure of the mail server or the network: kept and retried
            outbound.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            if outbound.attempts >= settings.MAIL_SEND_ATTEMPTS:
                outbound.state, outbound.next_attempt_at = OutboundState.GAVE_UP, None
                event_record(
                    ticket=outbound.ticket,
                    code="mail.failed",
                    trigger=Trigger.SYSTEM,
                    reason=outbound.last_error[:500],
                    to_value=outbound.to[:200],
                    details={"outbound_email": outbound.pk, "kind": outbound.kind},
                )
            else:
                outbound.state = OutboundState.FAILED
                wait = RETRY_AFTER[min(outbound.attempts - 1, len(RETRY_AFTER) - 1)]
                outbound.next_attempt_at = timezone.now() + wait
            logger.warning("e-mail %s for ticket #%s failed: %s", outbound.pk, outbound.ticket_id, exc)
        else:
            outbound.state, outbound.sent_at, outbound.next_attempt_at = (
                OutboundState.SENT,
                timezone.now(),
                None,
            )
            outbound.last_error = ""
        outbound.save()
    return outbound_id


def outbound_retry_due(*, now: dt.datetime | None = None) -> int:
    """The schedule's task: try again every failed e-mail whose wait is over. Returns how many were tried."""
    due = list(
        OutboundEmail.objects.filter(
            state=OutboundState.FAILED, next_attempt_at__lte=now or timezone.now()
        ).values_list("pk", flat=True)[:200]
    )
    for pk in due:
        outbound_send(pk)
    return len(due)
