"""The router's admin-edited policy (config, rules, factor weights, thresholds, names of
teams, tiers and category skills), read once and cached.

Every routing decision needs the same few small tables; reading them per decision would cost queries
that do not change. The cache lives per process (escalation/process_cache.py).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.core.exceptions import ValidationError

from escalation.models import EscalationRule, PriorityThreshold, RoutingConfig, ScoringFactor
from escalation.process_cache import ProcessCache
from escalation.routing.defaults import DEFAULT_FACTOR_WEIGHTS, DEFAULT_THRESHOLDS
from escalation.routing.rules import CompiledRule
from escalation.routing.scoring import FactorSetting
from helpdesk.models import Category, Skill, Team, Tier

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Knobs:
    """RoutingConfig as plain values."""

    hop_limit: int
    coordinator_id: int | None
    skill_relax_minutes: int
    overflow_minutes: int
    skill_weight: float
    load_weight: float
    stickiness_weight: float
    good_csat: int
    urgent_score: float
    urgent_load_factor: float
    frustration_rise: float
    predictive_escalation: float
    predicted_priority_confidence: float
    category_override_confidence: float
    urgent_relax_required_minutes: int
    no_agent_alert_minutes: int
    on_call_min_priority: str

    @classmethod
    def of(cls, config: RoutingConfig) -> Knobs:
        return cls(**{name: getattr(config, name) for name in cls.__dataclass_fields__})


@dataclass(frozen=True)
class Policy:
    knobs: Knobs
    rules: tuple[CompiledRule, ...]
    factors: tuple[FactorSetting, ...]
    thresholds: tuple[tuple[float, str], ...]  # (minimum score, level), highest first
    team_ids: dict[str, int]  # lower-cased name -> id
    team_names: dict[int, str]  # id -> name
    skill_ids: dict[str, int]  # lower-cased name -> id
    tier_ids: dict[int, int]  # level -> id
    category_skills: dict[int, tuple[str, ...]]  # category id -> names of the skills it requires
    category_ids: dict[str, int] = None  # lower-cased name -> id


def _compiled_rules() -> tuple[CompiledRule, ...]:
    compiled = []
    for rule in EscalationRule.objects.filter(is_active=True).order_by("order", "pk"):
        try:
            compiled.append(
                CompiledRule.build(
                    rule.name, rule.conditions, rule.actions, stop_processing=rule.stop_processing
                )
            )
        except ValidationError:  # written around admin (SQL, fixtures): skip it rather than stop routing
            logger.warning("escalation rule %r is invalid and was skipped", rule.name)
    return tuple(compiled)


def _factors() -> tuple[FactorSetting, ...]:
    rows = list(ScoringFactor.objects.all())
    if not rows:
        return tuple(FactorSetting(str(k), w, {}) for k, w in DEFAULT_FACTOR_WEIGHTS.items())
    return tuple(FactorSetting(r.key, r.weight, r.parameters or {}) for r in rows if r.is_active)


def _thresholds() -> tuple[tuple[float, str], ...]:
    rows = dict(PriorityThreshold.objects.values_list("priority", "min_score")) or DEFAULT_THRESHOLDS
    return tuple(sorted(((score, level) for level, score in rows.items()), reverse=True))


def _category_skills() -> dict[int, tuple[str, ...]]:
    pairs = Category.required_skills.through.objects.values_list("category_id", "skill__name")
    skills: dict[int, list[str]] = {}
    for category_id, name in pairs.order_by("category_id", "skill__name"):
        skills.setdefault(category_id, []).append(name)
    return {category_id: tuple(names) for category_id, names in skills.items()}


def load_policy() -> Policy:
    config = RoutingConfig.objects.filter(pk=1).first() or RoutingConfig()
    teams = dict(Team.objects.values_list("pk", "name"))
    return Policy(
        knobs=Knobs.of(config),
        rules=_compiled_rules(),
        factors=_factors(),
        thresholds=_thresholds(),
        team_ids={name.lower(): pk for pk, name in teams.items()},
        team_names=teams,
        skill_ids={name.lower(): pk for pk, name in Skill.objects.values_list("pk", "name")},
        tier_ids=dict(Tier.objects.values_list("level", "pk")),
        category_skills=_category_skills(),
        category_ids={name.lower(): pk for pk, name in Category.objects.values_list("pk", "name")},
    )


_policy = ProcessCache(load_policy)


def current_policy() -> Policy:
    return _policy.get()


def forget_policy(**kwargs) -> None:
    """Drop the cached policy (connected to saves of the policy tables, teams, skills and tiers)."""
    _policy.forget()
