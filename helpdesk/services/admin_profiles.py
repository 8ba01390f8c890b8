"""Superusers work as leads: the first time one opens the agent workspace or the analytics without an
agent profile (e.g. right after `createsuperuser` on a fresh install), they get an administrator's
profile. It sees every queue and the analytics; it belongs to no team and starts offline, so routing
never hands it tickets until the admin chooses to take work (status, teams and tier are theirs to edit).
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction

from helpdesk.models import Agent, AgentStatus, Role, Tier

# A fresh install has no tiers yet; an agent profile needs one.
FIRST_TIER = {"level": 1, "name": "Support"}


def admin_profile_ensure(*, user: AbstractBaseUser) -> Agent | None:
    """The superuser's agent profile, made on first need; None for anyone else without one."""
    existing = getattr(user, "agent", None)
    if existing is not None or not (user.is_active and user.is_superuser):
        return existing
    try:
        with transaction.atomic():
            tier = Tier.objects.order_by("-level").first() or Tier.objects.create(**FIRST_TIER)
            agent = Agent.objects.create(user=user, role=Role.ADMIN, tier=tier, status=AgentStatus.OFFLINE)
    except IntegrityError:  # two first requests at once: the other one made it
        agent = Agent.objects.get(user=user)
    user.agent = agent
    return agent
