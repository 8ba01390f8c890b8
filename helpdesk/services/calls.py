"""Phone calls logged on a ticket: part of the one conversation, marked as a call."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError

from helpdesk.models import Message, MessageChannel, Ticket
from helpdesk.services.messages import message_add

ERR_CALL_SUMMARY = "Write down what was said on the call."
DIRECTIONS = {"inbound": "Call from the customer", "outbound": "Call to the customer"}


def phone_call_log(
    *,
    ticket: Ticket,
    agent: AbstractBaseUser,
    summary: str,
    direction: str = "inbound",
    internal: bool = False,
) -> Message:
    """Record a call an agent had with the customer, as an agent message through the phone channel.

    A call is not e-mailed to the customer (they were on it); unless `internal`, the customer sees it in
    the portal. It counts as a response like any agent reply.
    """
    summary = (summary or "").strip()
    if not summary:
        raise ValidationError({"summary": [ERR_CALL_SUMMARY]})
    if direction not in DIRECTIONS:
        raise ValidationError({"direction": [f"Choose one of: {', '.join(DIRECTIONS)}."]})
    return message_add(
        ticket=ticket,
        author=agent,
        body=f"{DIRECTIONS[direction]}:\n{summary}",
        internal=internal,
        channel=MessageChannel.PHONE,
    )
