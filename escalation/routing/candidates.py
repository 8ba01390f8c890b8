"""Who could take a ticket: each agent of the team is either excluded (with the reason) or scored.

An agent is excluded, checked in this order, when they
- declined this ticket or just handed it on,
- sit in another tier (the next tier up becomes eligible after the overflow wait),
- are on leave today, offline or away, or outside their working hours (an agent on call for the team
  is reachable anyway for tickets of the on-call priority and above),
- lack a required skill (an urgent ticket nobody could take relaxes them after its wait),
- lack the ticket's language (until the ticket has waited the skill-relax time: then an answer in
  another language beats none),
- lack an optional skill (until the ticket has waited the skill-relax time),
- are at capacity.
The others are scored: skill fit (proficiency on the needed skills) x skill weight, plus spare capacity
x load weight (which counts for less when the ticket is urgent or has waited past the overflow time:
then the best fit should win even if busier), plus a bonus for the agent who last served this customer
with a good rating.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass, field

from django.db.models import Count, F, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from escalation.routing import read_ahead
from escalation.routing.roster import roster
from helpdesk.models import OPEN_STATUSES, Agent, AgentStatus, Ticket


@dataclass(frozen=True)
class AgentFacts:
    pk: int
    username: str
    name: str
    tier_level: int
    tier_id: int
    status: str
    capacity: int
    load: int
    on_leave: bool
    working: bool
    timezone: str
    languages: tuple[str, ...]
    skills: dict[str, int] = field(default_factory=dict)  # lower-cased skill name -> proficiency 1..5
    model: Agent | None = field(default=None, compare=False, repr=False)  # the loaded row, for assigning


@dataclass(frozen=True)
class Need:
    """What this ticket asks of an agent right now."""

    tier_level: int
    overflow: bool = False  # the next tier up may take it
    required_skills: tuple[str, ...] = ()
    optional_skills: tuple[str, ...] = ()
    relaxed: bool = False  # optional skills no longer exclude
    relax_minutes: int = 0
    language: str = "en"
    excluded: frozenset[int] = frozenset()
    declined: frozenset[int] = frozenset()
    last_good_agent_id: int | None = None
    urgent: bool = False  # a high priority score, or waited past the overflow time
    current_assignee_id: int | None = None  # this ticket already counts in their load
    on_call: frozenset[int] = frozenset()  # on call for this ticket: hours and away/offline do not exclude
    relax_required: bool = False  # an urgent ticket nobody could take: required skills no longer exclude


@dataclass(frozen=True)
class Weights:
    skill: float
    load: float
    stickiness: float
    urgent_load_factor: float


@dataclass(frozen=True)
class Assessment:
    agent: AgentFacts
    score: float | None = None
    code: str = ""  # why excluded: declined, tier, leave, status, hours, skill, language, optional, capacity
    reason: str = ""
    details: dict = field(default_factory=dict)

    @property
    def eligible(self) -> bool:
        return not self.code

    def record(self) -> dict:
        return {
            "agent": self.agent.username,
            "score": self.score,
            "excluded_reason": self.reason,
            "details": self.details,
        }


def language_code(value: str) -> str:
    return (value or "en").split("-")[0].split("_")[0].lower()


def open_load_subquery(agent_column: str = "pk") -> Coalesce:
    """Each agent's open tickets, counted per agent through the (assignee, status) index."""
    counted = (
        Ticket.objects.filter(assignee_id=OuterRef(agent_column), status__in=OPEN_STATUSES)
        .order_by()
        .values("assignee_id")
        .annotate(n=Count("*"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def _facts(agent: Agent, *, status: str, load: int, now: dt.datetime) -> AgentFacts:
    local_day = now.astimezone(zoneinfo.ZoneInfo(agent.timezone)).date()
    return AgentFacts(
        pk=agent.pk,
        username=agent.user.username,
        name=str(agent),
        tier_level=agent.tier.level,
        tier_id=agent.tier_id,
        status=status,
        capacity=agent.capacity,
        load=load,
        on_leave=any(leave.covers(local_day) for leave in agent.leaves.all()),
        working=agent.is_working_at(now),
        timezone=agent.timezone,
        languages=tuple(language_code(lang) for lang in agent.languages or ["en"]),
        skills={s.skill.name.lower(): s.proficiency for s in agent.agent_skills.all()},
        model=agent,
    )


def live_rows(team_ids: list[int]) -> dict[int, list[tuple[int, str, int]]]:
    """(pk, status, open load) of every agent of each team, read now: one query for all the teams."""
    rows = (
        Agent.teams.through.objects.filter(team_id__in=team_ids)
        .annotate(status=F("agent__status"), load=open_load_subquery("agent_id"))
        .order_by("team_id", "agent_id")
        .values_list("team_id", "agent_id", "status", "load")
    )
    teams: dict[int, list[tuple[int, str, int]]] = {team_id: [] for team_id in team_ids}
    for team_id, pk, status, load in rows:
        teams[team_id].append((pk, status, load))
    return teams


def team_agents(team_id: int, now: dt.datetime) -> list[AgentFacts]:
    """Every agent of the team: status and open load read now (one query, or from the batch's read,
    escalation.routing.read_ahead), the rest from the roster."""
    ahead = read_ahead.current()
    live = ahead.team_members(team_id) if ahead else None
    if live is None:
        live = live_rows([team_id])[team_id]
    members = roster(team_id, members={pk for pk, _, _ in live})
    # A batch meets the same agents again and again: it builds their facts once per status and load.
    known = ahead.agent_facts if ahead else {}
    return [
        known.get((pk, status, load))
        or known.setdefault((pk, status, load), _facts(members[pk], status=status, load=load, now=now))
        for pk, status, load in live
    ]


def _exclusion(agent: AgentFacts, need: Need) -> tuple[str, str]:
    """(code, reason) for the first thing that rules the agent out, or ("", "")."""
    load = agent.load - (1 if agent.pk == need.current_assignee_id else 0)
    allowed_tiers = {need.tier_level, need.tier_level + 1} if need.overflow else {need.tier_level}
    missing = [s for s in need.required_skills if s.lower() not in agent.skills]
    missing_optional = [s for s in need.optional_skills if s.lower() not in agent.skills]
    on_call = agent.pk in need.on_call
    checks = [
        (agent.pk in need.declined, "declined", "declined this ticket"),
        (agent.pk in need.excluded, "declined", "handed this ticket on"),
        (
            agent.tier_level not in allowed_tiers,
            "tier",
            f"wrong tier (L{agent.tier_level}; the ticket needs L{need.tier_level})",
        ),
        (agent.on_leave, "leave", "on leave"),
        (
            agent.status != AgentStatus.AVAILABLE and not on_call,
            "status",
            AgentStatus(agent.status).label.lower(),
        ),
        (not agent.working and not on_call, "hours", f"outside working hours ({agent.timezone})"),
        (bool(missing) and not need.relax_required, "skill", f"missing required skill: {', '.join(missing)}"),
        (
            language_code(need.language) not in agent.languages and not need.relaxed,
            "language",
            f"does not speak {need.language}",
        ),
        (
            bool(missing_optional) and not need.relaxed,
            "optional",
            f"missing preferred skill: {', '.join(missing_optional)} "
            f"(relaxed after {need.relax_minutes} min of waiting)",
        ),
        (load >= agent.capacity, "capacity", f"at capacity ({load}/{agent.capacity} open)"),
    ]
    return next(((code, reason) for failed, code, reason in checks if failed), ("", ""))


def skill_fit(agent: AgentFacts, need: Need) -> float:
    """Mean proficiency (out of 5) over the skills the ticket asks for; 1 when it asks for none."""
    wanted = [s.lower() for s in (*need.required_skills, *need.optional_skills)]
    if not wanted:
        return 1.0
    return sum(agent.skills.get(s, 0) / 5 for s in wanted) / len(wanted)


def assess(agent: AgentFacts, need: Need, weights: Weights) -> Assessment:
    code, reason = _exclusion(agent, need)
    load = agent.load - (1 if agent.pk == need.current_assignee_id else 0)
    if code:
        return Assessment(agent, None, code, reason, {"load": f"{load}/{agent.capacity}"})
    fit = skill_fit(agent, need)
    spare = 1 - load / max(agent.capacity, 1)
    load_weight = weights.load * (weights.urgent_load_factor if need.urgent else 1.0)
    sticky = agent.pk == need.last_good_agent_id
    score = weights.skill * fit + load_weight * spare + (weights.stickiness if sticky else 0.0)
    speaks = language_code(need.language) in agent.languages
    if not speaks:  # only after the wait relaxed the language: a speaker still wins
        score *= 0.5
    details = {
        "skill_fit": round(fit, 3),
        "load": f"{load}/{agent.capacity}",
        "spare_capacity": round(spare, 3),
        "served_customer_well": sticky,
        "urgent": need.urgent,
    }
    if agent.pk in need.on_call and (agent.status != AgentStatus.AVAILABLE or not agent.working):
        details["on_call"] = True
    if not speaks:
        details["speaks_language"] = False
    return Assessment(agent, round(score, 4), "", "", details)


def assess_all(agents: list[AgentFacts], need: Need, weights: Weights) -> list[Assessment]:
    """Eligible agents first, best score first (ties: lower load, then longer-standing agent)."""
    assessed = [assess(agent, need, weights) for agent in agents]
    return sorted(
        assessed,
        key=lambda a: (
            not a.eligible,
            -(a.score or 0.0),
            a.agent.load / max(a.agent.capacity, 1),
            a.agent.pk,
        ),
    )
