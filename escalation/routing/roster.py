"""Team rosters for routing: who is in a team, and what they can do.

What rarely changes (tier, skills, languages, working hours, capacity, leaves) is cached per process
(escalation/process_cache.py) and dropped when this process saves an agent, skill, leave or membership.
What changes all the time, status and open load, is read fresh for every decision (escalation.routing.candidates).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Prefetch
from django.utils import timezone

from escalation.process_cache import ProcessCache
from helpdesk.models import Agent, AgentLeave, AgentSkill


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


_rosters = ProcessCache(_load)


def roster(team_id: int, *, members: set[int]) -> dict[int, Agent]:
    """The cached roster, reloaded when stale or when it lacks one of the team's current members."""
    return _rosters.get(team_id, usable=lambda agents: members <= agents.keys())


def forget_rosters(**kwargs) -> None:
    """Connected to saves of agents, their skills, leaves and team memberships."""
    _rosters.forget()
