"""Telling people: in-app notifications (the bell and /agent/notifications/) and e-mail.

`notify` writes the in-app notification and publishes it to the recipient's open pages inside the
caller's transaction; e-mail goes out from a background task after commit (a slow or failing mail
server never holds up or rolls back the change). Agents can switch e-mail off (Agent.email_notifications);
the in-app notification always stays.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.mail import EmailMessage, get_connection
from django.urls import reverse

from helpdesk import live
from helpdesk.models import Notification, Ticket
from helpdesk.services.subjects import subject_line
from helpdesk.unit_of_work import email_later, insert

EMAIL_SUBJECT_PREFIX = "[Helpdesk] "


class EmailTransport:
    """E-mail through Django's configured backend (console by default, EMAIL_URL for SMTP)."""

    def is_noop(self, user: AbstractBaseUser) -> bool:
        """No address, or an agent who switched e-mail off."""
        if not getattr(user, "email", ""):
            return True
        agent = getattr(user, "agent", None)
        return agent is not None and not agent.email_notifications

    def message(self, notification: Notification) -> EmailMessage:
        lines = [notification.body] if notification.body else []
        if notification.ticket_id:
            base = settings.HELPDESK_BASE_URL
            lines.append(f"Open the ticket: {base}{reverse('agent:ticket', args=[notification.ticket_id])}")
        lines.append("You can switch these e-mails off on your notifications page.")
        return EmailMessage(
            subject=f"{EMAIL_SUBJECT_PREFIX}{subject_line(notification.title)}",
            body="\n\n".join(lines),
            to=[notification.recipient.email],
        )

    def send(self, notifications: Iterable[Notification]) -> int:
        messages = [self.message(n) for n in notifications]
        if not messages:
            return 0
        with get_connection() as connection:
            return connection.send_messages(messages) or 0


email = EmailTransport()


def notify(
    *,
    recipients: Iterable[AbstractBaseUser],
    kind: str,
    title: str,
    body: str = "",
    ticket: Ticket | None = None,
) -> list[Notification]:
    """Create one notification per recipient and publish it to their open pages; e-mail the recipients
    who want e-mail after commit (in one task with the unit of work's other e-mails). Call inside the
    change's transaction."""
    created = []
    for user in {u.pk: u for u in recipients if u is not None}.values():
        notification = Notification(recipient=user, ticket=ticket, kind=kind, title=title[:200], body=body)
        insert(notification, then=functools.partial(_announce, notification, user))
        created.append(notification)
    return created


def _announce(notification: Notification, user: AbstractBaseUser) -> None:
    """Once the notification has its id: show it on the recipient's open pages, e-mail it later."""
    agent = getattr(user, "agent", None)
    live.publish(
        kind="notification",
        groups=[live.agent_group(agent.pk)] if agent else [live.customer_group(user.pk)],
        ticket=notification.ticket,
        payload={"notification_id": notification.pk, "title": notification.title},
    )
    if not email.is_noop(user):
        email_later(notification.pk)


def email_notifications(notification_ids: list[int]) -> int:
    """The background task: e-mail these notifications (skipping recipients who opted out since)."""
    notifications = Notification.objects.filter(pk__in=notification_ids).select_related(
        "recipient__agent", "ticket"
    )
    return email.send(n for n in notifications if not email.is_noop(n.recipient))
