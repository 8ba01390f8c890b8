"""Working a ticket together: @mentions in internal notes, and followers who hear of every message.

Both notify through helpdesk.notifications (the bell, live, and e-mail for those who want it), inside
the transaction that adds the message.
"""

from __future__ import annotations

import re

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db.models import Q

from helpdesk.models import Agent, Message, Ticket
from helpdesk.notifications import notify
from helpdesk.permissions import can_work_ticket
from helpdesk.services import errors

# "@ana" or "@ana.lima" in a note; an e-mail address ("x@y.com") is not a mention.
MENTION = re.compile(r"(?<![\w@])@([\w][\w.+-]*[\w]|[\w])")
PREVIEW_CHARS = 300
MAX_MENTIONS = 20


def mentioned_agents(body: str, ticket: Ticket) -> list[Agent]:
    """Agents named in the text who may work the ticket (others are not told about it)."""
    names = {m.group(1).lower() for m in MENTION.finditer(body or "")}
    if not names:
        return []
    named = Q()
    for name in sorted(names)[:MAX_MENTIONS]:
        named |= Q(user__username__iexact=name)
    agents = Agent.objects.select_related("user").filter(named, user__is_active=True)
    return [a for a in agents if can_work_ticket(a.user, ticket)]


def message_notify_people(*, message: Message, ticket: Ticket, author: AbstractBaseUser | None) -> None:
    """Tell the agents mentioned in a note, and the ticket's followers, about a new message.

    Call inside the transaction that added the message."""
    told: set[int] = {author.pk} if author is not None else set()
    preview = message.body[:PREVIEW_CHARS]
    who = (author.get_full_name() or author.get_username()) if author is not None else "The system"
    if message.is_internal:
        mentioned = [a.user for a in mentioned_agents(message.body, ticket) if a.user_id not in told]
        if mentioned:
            notify(
                recipients=mentioned,
                kind="mention",
                title=f"{who} mentioned you on #{ticket.pk}: {ticket.subject}"[:200],
                body=preview,
                ticket=ticket,
            )
            told.update(u.pk for u in mentioned)
    followers = [
        user
        for user in ticket.followers.select_related("agent").all()
        if user.pk not in told and can_work_ticket(user, ticket)
    ]
    if followers:
        kind = "note" if message.is_internal else "reply"
        notify(
            recipients=followers,
            kind="followed",
            title=f"New {kind} on #{ticket.pk} (you follow it): {ticket.subject}"[:200],
            body=preview,
            ticket=ticket,
        )


def ticket_follow(*, ticket: Ticket, user: AbstractBaseUser, follow: bool = True) -> bool:
    """Follow (or stop following) a ticket; only people who may work it can follow it."""
    if not can_work_ticket(user, ticket):
        raise PermissionDenied(errors.ERR_NOT_YOUR_TICKET)
    if follow:
        ticket.followers.add(user)
    else:
        ticket.followers.remove(user)
    return follow
