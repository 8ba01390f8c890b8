"""E-mail Message-IDs of ours: every public message gets one when it is written (RFC 5322)."""

from __future__ import annotations

import uuid

from django.conf import settings

# Our Message-IDs start so (helpdesk.mail.safety recognises our own e-mails coming back by it).
OUR_MESSAGE_ID_PREFIX = "<helpdesk."


def email_message_id(ticket_id: int) -> str:
    """A new RFC 5322 Message-ID of ours, at the domain of HELPDESK_FROM_EMAIL. Given to a public
    message when it is written, so the API shows it at once and the e-mail that carries the message
    later (helpdesk.mail.outbound) goes out with it, whatever the worker's timing."""
    domain = settings.HELPDESK_FROM_EMAIL.rpartition("@")[2] or "localhost"
    return f"{OUR_MESSAGE_ID_PREFIX}{ticket_id}.{uuid.uuid4().hex}@{domain}>"
