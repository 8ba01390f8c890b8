"""Notifications: marking them read, and each agent's e-mail preference."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from helpdesk.models import Agent, Notification


def notification_mark_read(*, notification: Notification) -> Notification:
    """Mark a notification read; reading it twice keeps the first time. The caller checked it is the user's."""
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def notifications_mark_all_read(*, user: AbstractBaseUser) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())


def agent_set_email_notifications(*, agent: Agent, enabled: bool) -> Agent:
    """Switch e-mail copies of notifications on or off; in-app notifications always stay."""
    if agent.email_notifications != enabled:
        agent.email_notifications = enabled
        agent.save(update_fields=["email_notifications"])
    return agent
