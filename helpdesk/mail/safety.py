"""Mail that must never open a ticket nor be answered: automatic replies, bounces, list mail, our own
mail coming back, and a sender writing faster than a person can (a loop with another robot).

The checks read headers only (RFC 3834 and the conventions mail systems actually use), in this order:
1. No sender address, or an empty Return-Path (`<>`): bounces and other system mail.
2. `Content-Type: multipart/report` (delivery status notifications, read receipts), mailer-daemon and
   postmaster senders.
3. `Auto-Submitted` other than `no`; `X-Autoreply` / `X-Autorespond`; Microsoft's
   `X-Auto-Response-Suppress` on a reply whose subject says it is automatic (Exchange's out of office).
4. `Precedence: bulk | list | junk`; `List-Id` (mailing lists).
5. Our own Message-ID (an e-mail we sent came back to us).
6. More than MAIL_SENDER_LIMIT e-mails from one sender within MAIL_SENDER_WINDOW seconds.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from helpdesk.mail.parse import ParsedEmail
from helpdesk.models import InboundEmail, OutboundEmail
from helpdesk.services.message_ids import OUR_MESSAGE_ID_PREFIX

SYSTEM_SENDERS = ("mailer-daemon@", "postmaster@", "noreply-dmarc", "no-reply-dmarc")
OUR_ID_PREFIX = OUR_MESSAGE_ID_PREFIX

# Reasons, as the webhook and the stored original report them.
NO_SENDER = "no sender"
BOUNCE = "bounce"
AUTO_REPLY = "automatic reply"
LIST_MAIL = "list or bulk mail"
OWN_MAIL = "our own e-mail"
RATE_LIMITED = "too many e-mails from this sender"


def header_reason(email: ParsedEmail) -> str | None:
    """Why this e-mail is machine mail we must not act on, from its headers alone; None for a person's."""
    headers = email.headers
    if not email.sender:
        return NO_SENDER
    if email.return_path is not None and email.return_path.strip() in ("<>", ""):
        return BOUNCE
    if email.content_type == "multipart/report" or email.sender.startswith(SYSTEM_SENDERS):
        return BOUNCE
    auto = headers.get("auto-submitted", "").strip().lower()
    if auto and not auto.startswith("no"):
        return AUTO_REPLY
    if headers.get("x-autoreply") or headers.get("x-autorespond"):
        return AUTO_REPLY
    if headers.get("x-auto-response-suppress") and _looks_automatic(email):
        return AUTO_REPLY
    if headers.get("precedence", "").strip().lower() in ("bulk", "list", "junk", "auto_reply"):
        return LIST_MAIL
    if headers.get("list-id"):
        return LIST_MAIL
    return None


def _looks_automatic(email: ParsedEmail) -> bool:
    subject = email.subject.lower()
    return any(word in subject for word in ("automatic reply", "out of office", "abwesenheit", "autoreply"))


def is_our_message_id(message_id: str) -> bool:
    return bool(message_id) and (
        message_id.startswith(OUR_ID_PREFIX)
        and OutboundEmail.objects.filter(message_id_header=message_id).exists()
    )


def ignore_reason(email: ParsedEmail, *, now: dt.datetime | None = None) -> str | None:
    """The first reason (module docstring) not to act on this e-mail, or None."""
    reason = header_reason(email)
    if reason:
        return reason
    if is_our_message_id(email.message_id):
        return OWN_MAIL
    since = (now or timezone.now()) - dt.timedelta(seconds=settings.MAIL_SENDER_WINDOW)
    recent = InboundEmail.objects.filter(sender=email.sender, received_at__gte=since).count()
    if recent >= settings.MAIL_SENDER_LIMIT:
        return RATE_LIMITED
    return None
