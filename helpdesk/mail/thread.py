"""Which ticket an e-mail belongs to.

1. Its In-Reply-To and References name a Message-ID we stored (an e-mail that came in) or sent (a
   reply, an acknowledgement): that message's ticket.
2. Its subject names a ticket (`[#1234]`) and the sender is that ticket's customer or copied on it.
   A stranger who writes a number (guessed or forwarded) opens a new ticket instead: nobody writes
   into someone else's ticket by knowing its number.
3. Otherwise none: the e-mail opens a new ticket.
"""

from __future__ import annotations

from helpdesk.mail.parse import ParsedEmail
from helpdesk.models import Message, OutboundEmail, Ticket, TicketCc


def ticket_for_email(email: ParsedEmail) -> Ticket | None:
    ids = [*email.in_reply_to, *reversed(email.references)]
    if ids:
        ticket_id = (
            Message.objects.filter(message_id__in=ids)
            .order_by("-created_at")
            .values_list("ticket_id", flat=True)
            .first()
        ) or OutboundEmail.objects.filter(message_id_header__in=ids).values_list(
            "ticket_id", flat=True
        ).first()
        if ticket_id:
            return Ticket.objects.select_related("customer", "organization").get(pk=ticket_id)
    number = email.ticket_reference
    if number is not None:
        ticket = Ticket.objects.select_related("customer", "organization").filter(pk=number).first()
        if ticket is not None and may_write_into(ticket, email.sender):
            return ticket
    return None


def may_write_into(ticket: Ticket, sender: str) -> bool:
    """The ticket's customer or someone copied on it."""
    if (ticket.customer.email or "").lower() == sender:
        return True
    return TicketCc.objects.filter(ticket=ticket, email=sender).exists()
