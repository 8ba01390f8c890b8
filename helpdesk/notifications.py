"""Telling people: in-app notifications (the bell and /agent/notifications/) and e-mail.

`notify` writes the in-app notification and publishes it to the recipient's open pages inside the
caller's transaction; e-mail goes out from a background task after commit (a slow or failing mail
server never holds up or rolls back the change). Agents can switch e-mail off (Agent.email_notifications);
the in-app notification always stays.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.urls import reverse

from helpdesk import live
from helpdesk.background import enqueue
from helpdesk.blocks import outermost
from helpdesk.gathered import insert
from helpdesk.models import Notification, Ticket

EMAIL_TASK = "helpdesk.notifications.email_notifications"
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
            base = getattr(settings, "HELPDESK_BASE_URL", "").rstrip("/")
            lines.append(f"Open the ticket: {base}{reverse('agent:ticket', args=[notification.ticket_id])}")
        lines.append("You can switch these e-mails off on your notifications page.")
        return EmailMessage(
            subject=f"{EMAIL_SUBJECT_PREFIX}{notification.title}",
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
    who want e-mail after commit. Call inside the change's transaction."""
    created = []
    with email_batch():
        for user in {u.pk: u for u in recipients if u is not None}.values():
            notification = Notification(
                recipient=user, ticket=ticket, kind=kind, title=title[:200], body=body
            )
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
        batch = _email_batch.get()
        if batch is not None and not batch.sent:
            batch.append(notification.pk)
        else:
            # Written after its notify() returned (helpdesk.gathered, e.g. a routing batch): the
            # follow-up still sees that call's batch, already handed on, so it goes on its own.
            transaction.on_commit(lambda: enqueue(EMAIL_TASK, [notification.pk]))


class _Batch(list):
    """Notification ids whose e-mails leave together; `sent` once handed to the worker."""

    sent = False


_email_batch: ContextVar[_Batch | None] = ContextVar("notification_email_batch", default=None)


@contextmanager
def email_batch() -> Iterator[None]:
    """Collect the e-mails of many notify() calls into one background task, enqueued when the
    surrounding transaction commits (use it inside that transaction: a sweep notifies many people).
    A nested block joins the outer one."""
    with outermost(_email_batch, _Batch) as collected:
        yield
    if collected is not None:
        collected.sent = True
        if collected:
            ids = list(collected)
            transaction.on_commit(lambda: enqueue(EMAIL_TASK, ids))


def email_notifications(notification_ids: list[int]) -> int:
    """The background task: e-mail these notifications (skipping recipients who opted out since)."""
    notifications = Notification.objects.filter(pk__in=notification_ids).select_related(
        "recipient__agent", "ticket"
    )
    return email.send(n for n in notifications if not email.is_noop(n.recipient))
