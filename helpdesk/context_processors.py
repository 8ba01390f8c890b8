"""Template context shared by every page: the signed-in agent and their unread notifications."""

from __future__ import annotations

from django.http import HttpRequest

from helpdesk.permissions import agent_of
from helpdesk.selectors import unread_notifications


def workspace(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    agent = agent_of(user)
    if agent is None:
        return {"current_agent": None}
    return {"current_agent": agent, "unread_count": unread_notifications(user).count()}
