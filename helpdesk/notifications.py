"""Telling people: in-app notifications (the bell), and later e-mail.

First version: in-app only.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser

from helpdesk import live
from helpdesk.models import Notification, Ticket


def notify(
    *,
    recipients: Iterable[AbstractBaseUser],
    kind: str,
    title: str,
    body: str = "",
    ticket: Ticket | None = None,
) -> list[Notification]:
    """Create one notification per recipient and publish it to their open pages. Call inside the change's transaction."""
    created = []
    for user in {u.pk: u for u in recipients if u is not None}.values():
        notification = Notification.objects.create(
            recipient=user, ticket=ticket, kind=kind, title=title[:200], body=body
        )
        agent = getattr(user, "agent", None)
        groups = [live.agent_group(agent.pk)] if agent else [live.customer_group(user.pk)]
        live.publish(
            kind="notification",
            groups=groups,
            ticket=ticket,
            payload={"notification_id": notification.pk, "title": notification.title},
        )
        created.append(notification)
    return created
