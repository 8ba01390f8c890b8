"""Access rules for HTML views."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from helpdesk.permissions import agent_of
from helpdesk.services.admin_profiles import admin_profile_ensure


def agent_required(view):
    """Signed-in agents only; sets request.agent. Others are sent to sign in or refused (403).

    Superusers work as leads: one without an agent profile gets an administrator's profile here.
    """

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        agent = agent_of(request.user) or admin_profile_ensure(user=request.user)
        if agent is None:
            raise PermissionDenied("The agent workspace is for support staff.")
        request.agent = agent
        return view(request, *args, **kwargs)

    return wrapper
