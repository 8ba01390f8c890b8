"""A draft policy as the router reads it: the live Policy with the draft's changes, checked first."""

from __future__ import annotations

import dataclasses
import itertools
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from escalation.models import DraftPolicy, EscalationRule, PriorityThreshold, RoutingConfig, ScoringFactor
from escalation.models.simulate import LIVE
from escalation.routing.factors import FactorKey, FactorSetting
from escalation.routing.policy import Knobs, Policy, load_policy
from escalation.routing.rules import CompiledRule, validate_rule
from helpdesk.models import Priority

ERR_UNKNOWN = "No draft policy called “{name}”. Drafts: {drafts}."
ERR_RULES = "A list of rules, each {name, conditions, actions, stop_processing?}."
ERR_RULE = "Rule {index} ({name}): {error}"
ERR_FACTOR = "Unknown factor {key!r}; the factors are: {known}."
ERR_WEIGHT = "The weight of {key} must be a number from 0 to 100."
ERR_LEVEL = "Unknown priority {key!r}; the levels are: {known}."
ERR_SCORE = "The threshold of {key} must be a number from 0 to 100."
ERR_SETTING = "Unknown setting {key!r}; the settings are: {known}."
ERR_SETTING_KIND = "{key} must be {kind}."
# Router settings a draft may change (the coordinator is a person, not a policy choice).
SETTINGS = {f.name: f.type for f in dataclasses.fields(Knobs) if f.name != "coordinator_id"}


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def rule_errors(rules: Any) -> list[str]:
    if rules is None:
        return []
    if not isinstance(rules, list) or not all(isinstance(r, dict) for r in rules):
        return [ERR_RULES]
    errors = []
    for index, rule in enumerate(rules, start=1):
        name = rule.get("name")
        if not isinstance(name, str) or not name.strip():
            errors.append(ERR_RULE.format(index=index, name="no name", error="give it a name"))
            continue
        try:
            validate_rule(rule.get("conditions"), rule.get("actions"))
        except ValidationError as error:
            errors += [ERR_RULE.format(index=index, name=name, error=m) for m in error.messages]
        if not isinstance(rule.get("stop_processing", False), bool):
            errors.append(ERR_RULE.format(index=index, name=name, error="stop_processing is true or false"))
    return errors


def weight_errors(weights: Any) -> list[str]:
    if not isinstance(weights, dict):
        return ['An object of {"factor": weight}.']
    errors = []
    for key, weight in weights.items():
        if key not in FactorKey.values:
            errors.append(ERR_FACTOR.format(key=key, known=", ".join(FactorKey.values)))
        elif not _number(weight) or not 0 <= weight <= 100:
            errors.append(ERR_WEIGHT.format(key=key))
    return errors


def threshold_errors(thresholds: Any) -> list[str]:
    if not isinstance(thresholds, dict):
        return ['An object of {"level": lowest score}.']
    errors = []
    for key, score in thresholds.items():
        if key not in Priority.values:
            errors.append(ERR_LEVEL.format(key=key, known=", ".join(Priority.values)))
        elif not _number(score) or not 0 <= score <= 100:
            errors.append(ERR_SCORE.format(key=key))
    return errors


def setting_errors(settings: Any) -> list[str]:
    if not isinstance(settings, dict):
        return ['An object of {"setting": value}.']
    errors = []
    for key, value in settings.items():
        kind = SETTINGS.get(key)
        if kind is None:
            errors.append(ERR_SETTING.format(key=key, known=", ".join(SETTINGS)))
        elif kind == "str" and value not in Priority.values:
            errors.append(ERR_SETTING_KIND.format(key=key, kind=f"one of {', '.join(Priority.values)}"))
        elif kind == "int" and (not isinstance(value, int) or isinstance(value, bool) or value < 0):
            errors.append(ERR_SETTING_KIND.format(key=key, kind="a whole number, 0 or more"))
        elif kind == "float" and (not _number(value) or value < 0):
            errors.append(ERR_SETTING_KIND.format(key=key, kind="a number, 0 or more"))
    return errors


CHECKS = {
    "rules": rule_errors,
    "factor_weights": weight_errors,
    "thresholds": threshold_errors,
    "settings": setting_errors,
}


def draft_errors(draft: DraftPolicy) -> dict[str, list[str]]:
    """What is wrong with each part of the draft ({} when it can be compiled)."""
    errors = {field: check(getattr(draft, field)) for field, check in CHECKS.items()}
    return {field: messages for field, messages in errors.items() if messages}


def draft_policy(draft: DraftPolicy, live: Policy) -> Policy:
    """The live policy with the draft's rules (when it has its own), weights, thresholds and settings."""
    errors = draft_errors(draft)
    if errors:
        raise ValidationError(errors)
    rules = live.rules
    if draft.rules is not None:
        rules = tuple(
            CompiledRule.build(
                r["name"], r["conditions"], r["actions"], stop_processing=r.get("stop_processing", False)
            )
            for r in draft.rules
        )
    weights = dict(draft.factor_weights)
    factors = tuple(
        dataclasses.replace(f, weight=float(weights.pop(f.key, f.weight))) for f in live.factors
    ) + tuple(FactorSetting(key, float(weight), {}) for key, weight in weights.items())
    levels = {level: score for score, level in live.thresholds} | draft.thresholds
    return dataclasses.replace(
        live,
        knobs=dataclasses.replace(live.knobs, **draft.settings),
        rules=rules,
        factors=tuple(f for f in factors if f.weight > 0),
        thresholds=tuple(sorted(((float(s), level) for level, s in levels.items()), reverse=True)),
    )


def policy_named(name: str) -> Policy:
    """`live`, or the draft of that name, in any case when only one matches (ValidationError when there
    is none or it does not compile)."""
    live = load_policy()
    if name.lower() == LIVE:
        return live
    found = list(DraftPolicy.objects.filter(name__iexact=name))
    draft = next((d for d in found if d.name == name), found[0] if len(found) == 1 else None)
    if draft is None:
        drafts = ", ".join(DraftPolicy.objects.values_list("name", flat=True)) or "none yet"
        raise ValidationError(ERR_UNKNOWN.format(name=name, drafts=drafts))
    return draft_policy(draft, live)


def live_rules() -> list[dict[str, Any]]:
    """The active live rules, in order, in a draft's format."""
    return [
        {
            "name": rule.name,
            "conditions": rule.conditions,
            "actions": rule.actions,
            "stop_processing": rule.stop_processing,
        }
        for rule in EscalationRule.objects.filter(is_active=True).order_by("order", "pk")
    ]


EXAMPLE = "DRAFT"
EXAMPLE_RULE = {
    "name": "Refund requests start at Billing tier 2",
    "conditions": {"field": "text", "op": "contains_any", "value": ["refund", "money back"]},
    "actions": [{"type": "route_to_team", "team": "Billing"}, {"type": "min_tier", "level": 2}],
}


def example_draft() -> tuple[DraftPolicy, bool]:
    """A draft to try (the demo's): the live rules plus refunds straight to Billing tier 2, and
    frustration weighing more. Left as it is when it exists."""
    return DraftPolicy.objects.get_or_create(
        name=EXAMPLE,
        defaults={
            "description": "An example: the live rules plus refund requests straight to Billing tier 2, "
            "and frustration weighing 25 points. Edit it, then replay it on /analytics/what-if/.",
            "rules": [*live_rules(), EXAMPLE_RULE],
            "factor_weights": {"frustration": 25},
        },
    )


def live_as_draft(name: str, description: str) -> DraftPolicy:
    """The live policy as it is now, saved as a draft (every part spelled out), to go back to."""
    live = load_policy()
    return DraftPolicy.objects.create(
        name=name,
        description=description,
        rules=live_rules(),
        factor_weights={
            key: (weight if active else 0)
            for key, weight, active in ScoringFactor.objects.values_list("key", "weight", "is_active")
        }
        or {f.key: f.weight for f in live.factors},
        thresholds={level: score for score, level in live.thresholds},
        settings={name: getattr(live.knobs, name) for name in SETTINGS},
    )


@transaction.atomic
def make_live(draft: DraftPolicy) -> DraftPolicy:
    """Put the draft's changes into the live policy, after keeping the live policy as it was as a new
    draft (returned) to go back to. Rules the draft lists are written (by name, in its order) and the
    other live rules switched off, not deleted; weights, thresholds and settings it names are set."""
    errors = draft_errors(draft)
    if errors:
        raise ValidationError(errors)
    name = stamp = "live-" + timezone.localtime().strftime("%Y%m%d-%H%M%S")
    for n in itertools.count(2):
        if not DraftPolicy.objects.filter(name=name).exists():
            break
        name = f"{stamp}-{n}"
    backup = live_as_draft(name, f"The live policy before “{draft.name}” went live.")
    live = load_policy()
    # Weights and thresholds read from code until their first row is saved: spell them all out first,
    # or the draft's one row would hide the others.
    if draft.factor_weights and not ScoringFactor.objects.exists():
        ScoringFactor.objects.bulk_create(ScoringFactor(key=f.key, weight=f.weight) for f in live.factors)
    if draft.thresholds and not PriorityThreshold.objects.exists():
        PriorityThreshold.objects.bulk_create(
            PriorityThreshold(priority=level, min_score=score) for score, level in live.thresholds
        )
    if draft.rules is not None:
        listed = []
        for order, rule in enumerate(draft.rules, start=1):
            row = EscalationRule.objects.filter(name=rule["name"]).first() or EscalationRule(
                name=rule["name"]
            )
            row.conditions, row.actions = rule["conditions"], rule["actions"]
            row.stop_processing = rule.get("stop_processing", False)
            row.order, row.is_active = order * 10, True
            row.save()  # checked as the router compiles rules (draft_errors); names as it reads them
            listed.append(row.pk)
        for row in EscalationRule.objects.filter(is_active=True).exclude(pk__in=listed):
            row.is_active = False
            row.save()
    for key, weight in draft.factor_weights.items():
        factor = ScoringFactor.objects.filter(key=key).first() or ScoringFactor(key=key)
        factor.weight, factor.is_active = (weight, True) if weight > 0 else (factor.weight, False)
        factor.save()
    for level, score in draft.thresholds.items():
        PriorityThreshold.objects.update_or_create(priority=level, defaults={"min_score": score})
    if draft.settings:
        config = RoutingConfig.load()
        for name, value in draft.settings.items():
            setattr(config, name, value)
        config.full_clean()
        config.save()
    return backup
