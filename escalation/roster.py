"""Team rosters for routing: who is in a team, and what they can do.

What rarely changes (tier, skills, languages, working hours, capacity, leaves) is cached per process for
ESCALATION_POLICY_TTL seconds and dropped when this process saves an agent, skill, leave or membership.
What changes all the time, status and open load, is read fresh for every decision (escalation.candidates).
"""

from __future__ import annotations

import datetime as dt
import time

from django.conf import settings
from django.db.models import Prefetch
from django.utils import timezone

from helpdesk.models import Agent, AgentLeave, AgentSkill

_cache: dict[int, tuple[float, dict[int, Agent]]] = {}


def _load(team_id: int) -> dict[int, Agent]:
    """The team's agents with user, tier, skills and current or future leaves: three queries."""
    recent = timezone.localdate() - dt.timedelta(days=1)
    agents = (
        Agent.objects.filter(teams=team_id)
        .select_related("user", "tier")
        .prefetch_related(
            Prefetch("agent_skills", queryset=AgentSkill.objects.select_related("skill")),
            Prefetch("leaves", queryset=AgentLeave.objects.filter(ends_on__gte=recent)),
        )
    )
    return {agent.pk: agent for agent in agents}


def roster(team_id: int, *, members: set[int]) -> dict[int, Agent]:
    """The cached roster, reloaded when stale or when it lacks one of the team's current members."""
    ttl = getattr(settings, "ESCALATION_POLICY_TTL", 5.0)
    cached = _cache.get(team_id)
    if cached is not None and time.monotonic() - cached[0] < ttl and members <= cached[1].keys():
        return cached[1]
    loaded = _load(team_id)
    _cache[team_id] = (time.monotonic(), loaded)
    return loaded


def forget_rosters(**kwargs) -> None:
    """Connected to saves of agents, their skills, leaves and team memberships."""
    _cache.clear()
