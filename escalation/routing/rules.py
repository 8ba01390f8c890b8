"""Escalation rules as data: the formats, their validation, a readable description, and evaluation.

Nothing here is ever passed to `eval`: a rule is a tree of known fields and operators, compiled into
small Python closures. Anything unknown is refused with a message that says where and what.

Conditions are a tree. A node is {"all": [node, ...]}, {"any": [node, ...]}, {"not": node} or a leaf
{"field": F, "op": OP, "value": V}:
- text (subject, body and later customer messages): contains_any / contains_all [phrases, whole words],
  matches "regular expression" (case-insensitive)
- category, team (names), channel, segment (values): in / not_in [...]
- priority: in / not_in [levels], at_least "high"
- is_vip: is true|false
- contract_value, days_to_renewal, churn_risk, sentiment, frustration, escalation_probability,
  amount (the largest money amount mentioned), reopen_count, escalation_count: gte / lte / between [lo, hi]
- recent_tickets (this customer's tickets in the last "days": M, this one included): gte / lte / between
- account_health (the organization's computed health, 0..100): gte / lte / between
- usage_change (how much the organization's usage "measure" changed in the last "days": 7, 30 or 90, in
  percent; e.g. {"field": "usage_change", "measure": "data_volume", "days": 30, "op": "gte", "value": 200}
  is "data volume grew by 200 % or more in 30 days"): gte / lte / between
A fact that is unknown (no organization, no renewal date, no sentiment yet) never matches.

Actions are a list:
- {"type": "route_to_team", "team": "Security"}: the first rule that routes wins
- {"type": "set_category", "category": "Security incident"}: the first wins (an agent's choice stays)
- {"type": "min_tier", "level": 2}: the highest minimum wins
- {"type": "set_priority", "priority": "urgent"}: a floor the score cannot rank the ticket below
- {"type": "require_human"}: no automation, whatever a model says
- {"type": "add_skill", "skill": "payments", "required": true}: required skills never relax, optional ones do
- {"type": "notify", "to": "team_lead" | "coordinator" | "leads", "message": "..."}
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError

from escalation.models.accounts import UsageMeasure
from escalation.routing.snapshot import TicketSnapshot
from escalation.text import phrase_pattern
from helpdesk.models import Category, Channel, Priority, Segment, Skill, Team
from helpdesk.models.tickets import PRIORITY_RANK

Predicate = Callable[[TicketSnapshot], bool]

NUMBER_FIELDS = {
    "contract_value": "contract value",
    "days_to_renewal": "days to renewal",
    "churn_risk": "churn risk",
    "sentiment": "sentiment",
    "frustration": "frustration",
    "escalation_probability": "predicted escalation",
    "amount": "amount mentioned",
    "reopen_count": "times reopened",
    "escalation_count": "times escalated",
    "recent_tickets": "tickets from this customer",
    "account_health": "account health",
    "usage_change": "usage change %",
}
USAGE_WINDOWS = (7, 30, 90)  # the periods Organization.usage_trends keeps a change for
NAME_FIELDS = {"category": "category", "team": "team", "channel": "channel", "segment": "segment"}
KNOWN_VALUES = {"channel": Channel.values, "segment": Segment.values, "priority": Priority.values}
FIELD_OPS: dict[str, set[str]] = {
    "text": {"contains_any", "contains_all", "matches"},
    "priority": {"in", "not_in", "at_least"},
    "is_vip": {"is"},
    **{name: {"in", "not_in"} for name in NAME_FIELDS},
    **{name: {"gte", "lte", "between"} for name in NUMBER_FIELDS},
}
ACTION_KEYS: dict[str, dict[str, type | tuple[type, ...]]] = {
    "route_to_team": {"team": str},
    "set_category": {"category": str},
    "min_tier": {"level": int},
    "set_priority": {"priority": str},
    "require_human": {},
    "add_skill": {"skill": str, "required": bool},
    "notify": {"to": str, "message": str},
}
OPTIONAL_ACTION_KEYS = {"add_skill": {"required"}, "notify": {"message"}}
NOTIFY_TARGETS = ("team_lead", "coordinator", "leads")
MAX_PATTERN = 300

ERR_NOT_A_TREE = (
    'Conditions must be an object such as {"all": [...]} or {"field": ..., "op": ..., "value": ...}.'
)
ERR_ACTIONS_LIST = 'Actions must be a non-empty list such as [{"type": "route_to_team", "team": "Billing"}].'


def _fail(where: str, message: str) -> ValidationError:
    return ValidationError(f"{where}: {message}")


# --- validation -------------------------------------------------------------------------------


def _check_value(where: str, name: str, op: str, value: Any, node: dict) -> None:
    if name == "text":
        if op == "matches":
            if not isinstance(value, str) or not value or len(value) > MAX_PATTERN:
                raise _fail(where, f"give a regular expression of 1 to {MAX_PATTERN} characters.")
            try:
                re.compile(value)
            except re.error as exc:
                raise _fail(where, f"the pattern is not a valid regular expression ({exc}).") from exc
        elif not (isinstance(value, list) and value and all(isinstance(v, str) and v.strip() for v in value)):
            raise _fail(where, "give a non-empty list of words or phrases.")
    elif name == "is_vip":
        if not isinstance(value, bool):
            raise _fail(where, "value must be true or false.")
    elif name in NUMBER_FIELDS:
        numbers = value if op == "between" else [value]
        if op == "between" and not (isinstance(value, list) and len(value) == 2):
            raise _fail(where, "between needs [lowest, highest].")
        if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in numbers):
            raise _fail(where, f"{name} compares with numbers, got {value!r}.")
        if name == "recent_tickets" and not (isinstance(node.get("days"), int) and 1 <= node["days"] <= 365):
            raise _fail(where, 'recent_tickets needs "days": a whole number of days from 1 to 365.')
        if name == "usage_change":
            if node.get("measure") not in UsageMeasure.values:
                raise _fail(where, f'usage_change needs "measure": one of {", ".join(UsageMeasure.values)}.')
            if node.get("days") not in USAGE_WINDOWS:
                raise _fail(where, f'usage_change needs "days": one of {", ".join(map(str, USAGE_WINDOWS))}.')
    else:
        values = [value] if op == "at_least" else value
        if not (isinstance(values, list) and values and all(isinstance(v, str) for v in values)):
            raise _fail(
                where, f"{op} needs {'a level' if op == 'at_least' else 'a non-empty list of names'}."
            )
        unknown = [v for v in values if name in KNOWN_VALUES and v not in KNOWN_VALUES[name]]
        if unknown:
            raise _fail(where, f"unknown {name} {unknown}; use {', '.join(KNOWN_VALUES[name])}.")


def _check_node(node: Any, where: str) -> None:
    if not isinstance(node, dict) or not node:
        raise _fail(where, ERR_NOT_A_TREE)
    groups = [key for key in ("all", "any", "not") if key in node]
    if groups:
        if len(node) != 1:
            raise _fail(where, f"a {groups[0]!r} group takes nothing else beside it.")
        key = groups[0]
        if key == "not":
            _check_node(node["not"], f"{where} → not")
            return
        children = node[key]
        if not isinstance(children, list) or not children:
            raise _fail(where, f"{key!r} needs a non-empty list of conditions.")
        for index, child in enumerate(children):
            _check_node(child, f"{where} → {key}[{index}]")
        return
    name, op = node.get("field"), node.get("op")
    if name not in FIELD_OPS:
        raise _fail(where, f"unknown field {name!r}. Known fields: {', '.join(sorted(FIELD_OPS))}.")
    if op not in FIELD_OPS[name]:
        raise _fail(where, f"{name} cannot use {op!r}; use {', '.join(sorted(FIELD_OPS[name]))}.")
    allowed = (
        {"field", "op", "value", "days", "measure"}
        if name == "usage_change"
        else {"field", "op", "value", "days"}
    )
    extra = set(node) - allowed
    if extra or "value" not in node:
        also = {"recent_tickets": " (and days)", "usage_change": " (and measure, days)"}.get(name, "")
        raise _fail(where, f"a condition has field, op and value{also}.")
    _check_value(where, name, op, node["value"], node)


def _check_action(action: Any, where: str) -> None:
    if not isinstance(action, dict) or action.get("type") not in ACTION_KEYS:
        raise _fail(where, f"each action needs a type: {', '.join(ACTION_KEYS)}.")
    kind = action["type"]
    expected = ACTION_KEYS[kind]
    optional = OPTIONAL_ACTION_KEYS.get(kind, set())
    given = set(action) - {"type"}
    missing = set(expected) - optional - given
    if missing or given - set(expected):
        keys = ", ".join(f"{k}{' (optional)' if k in optional else ''}" for k in expected) or "nothing else"
        raise _fail(where, f"{kind} takes {keys}.")
    for key, kind_type in expected.items():
        if key in action and (not isinstance(action[key], kind_type) or action[key] in ("", None)):
            raise _fail(where, f"{kind}.{key} has the wrong type or is empty.")
    if kind == "set_priority" and action["priority"] not in Priority.values:
        raise _fail(where, f"priority must be one of {', '.join(Priority.values)}.")
    if kind == "min_tier" and action["level"] < 1:
        raise _fail(where, "a tier level starts at 1.")
    if kind == "notify" and action["to"] not in NOTIFY_TARGETS:
        raise _fail(where, f"notify to must be one of {', '.join(NOTIFY_TARGETS)}.")


def validate_rule(conditions: Any, actions: Any) -> None:
    """Raise ValidationError({"conditions"|"actions": [message]}) unless both have the documented shape."""
    problems: dict[str, list[str]] = {}
    try:
        _check_node(conditions, "conditions")
    except ValidationError as exc:
        problems["conditions"] = exc.messages
    try:
        if not isinstance(actions, list) or not actions:
            raise ValidationError(ERR_ACTIONS_LIST)
        for index, action in enumerate(actions):
            _check_action(action, f"actions[{index}]")
    except ValidationError as exc:
        problems["actions"] = exc.messages
    if problems:
        raise ValidationError(problems)


def _names_in(tree: Any, name: str) -> Iterable[str]:
    if isinstance(tree, dict):
        for key in ("all", "any"):
            for child in tree.get(key, []):
                yield from _names_in(child, name)
        if "not" in tree:
            yield from _names_in(tree["not"], name)
        if tree.get("field") == name:
            yield from tree["value"]


def validate_references(conditions: Any, actions: list[dict]) -> None:
    """Team, category and skill names must exist (checked in admin; at run time unknown names do nothing)."""
    wanted = [
        ("conditions", "team", Team, set(_names_in(conditions, "team"))),
        ("conditions", "category", Category, set(_names_in(conditions, "category"))),
        ("actions", "team", Team, {a["team"] for a in actions if a["type"] == "route_to_team"}),
        ("actions", "category", Category, {a["category"] for a in actions if a["type"] == "set_category"}),
        ("actions", "skill", Skill, {a["skill"] for a in actions if a["type"] == "add_skill"}),
    ]
    problems: dict[str, list[str]] = {}
    for where, label, model, names in wanted:
        known = set(model.objects.filter(name__in=names).values_list("name", flat=True))
        for missing in sorted(names - known):
            problems.setdefault(where, []).append(
                f"There is no {label} named {missing!r}: create it first or fix the name."
            )
    if problems:
        raise ValidationError(problems)


def check_rule(conditions: Any, actions: Any) -> None:
    """Everything admin checks: the shape of both parts, then the names in whichever part is well formed."""
    problems: dict[str, list[str]] = {}
    try:
        validate_rule(conditions, actions)
    except ValidationError as exc:
        problems = exc.message_dict
    well_formed_conditions = conditions if "conditions" not in problems else {}
    well_formed_actions = actions if "actions" not in problems else []
    try:
        validate_references(well_formed_conditions, well_formed_actions)
    except ValidationError as exc:
        for key, messages in exc.message_dict.items():
            problems.setdefault(key, []).extend(messages)
    if problems:
        raise ValidationError(problems)


FORMAT_HELP = (__doc__ or "").split("\n\n", 2)[-1]  # the formats, as documented at the top of this module


# --- description --------------------------------------------------------------------------------

OP_WORDS = {"gte": "≥", "lte": "≤", "in": "is", "not_in": "is not", "at_least": "is at least"}


def describe_conditions(node: dict) -> str:
    """The condition tree in plain words, for admin lists and explanations."""
    if "all" in node or "any" in node:
        key = "all" if "all" in node else "any"
        parts = [describe_conditions(child) for child in node[key]]
        return "(" + f" {'AND' if key == 'all' else 'OR'} ".join(parts) + ")" if len(parts) > 1 else parts[0]
    if "not" in node:
        return f"NOT {describe_conditions(node['not'])}"
    name, op, value = node["field"], node["op"], node["value"]
    label = "text" if name == "text" else NUMBER_FIELDS.get(name) or NAME_FIELDS.get(name) or name
    if name == "recent_tickets":
        label = f"tickets from this customer in {node['days']} days"
    if name == "usage_change":
        label = (
            f"{UsageMeasure(node['measure']).label.split(' (')[0].lower()} change % in {node['days']} days"
        )
    if op == "contains_any":
        return f"text mentions any of {', '.join(repr(v) for v in value)}"
    if op == "contains_all":
        return f"text mentions all of {', '.join(repr(v) for v in value)}"
    if op == "matches":
        return f"text matches /{value}/"
    if op == "between":
        return f"{label} between {value[0]:g} and {value[1]:g}"
    if op == "is":
        return "VIP account" if value else "not a VIP account"
    shown = ", ".join(value) if isinstance(value, list) else value
    return (
        f"{label} {OP_WORDS[op]} {shown:g}"
        if isinstance(shown, int | float)
        else f"{label} {OP_WORDS[op]} {shown}"
    )


def describe_actions(actions: list[dict]) -> str:
    words = {
        "route_to_team": lambda a: f"route to {a['team']}",
        "set_category": lambda a: f"category {a['category']}",
        "min_tier": lambda a: f"tier {a['level']} or higher",
        "set_priority": lambda a: f"priority at least {a['priority']}",
        "require_human": lambda a: "a human must handle it",
        "add_skill": lambda a: f"{'requires' if a.get('required', True) else 'prefers'} skill {a['skill']}",
        "notify": lambda a: f"notify {a['to'].replace('_', ' ')}",
    }
    return "; ".join(words[a["type"]](a) for a in actions)


# --- evaluation ---------------------------------------------------------------------------------


def _number_test(op: str, value: Any) -> Callable[[float], bool]:
    if op == "gte":
        return lambda fact: fact >= value
    if op == "lte":
        return lambda fact: fact <= value
    low, high = value
    return lambda fact: low <= fact <= high


def _leaf(node: dict) -> Predicate:
    name, op, value = node["field"], node["op"], node["value"]
    if name == "text":
        if op == "matches":
            pattern = re.compile(value, re.IGNORECASE)
            return lambda snap: pattern.search(snap.text) is not None
        if op == "contains_any":
            any_pattern = phrase_pattern(tuple(value))
            return lambda snap: any_pattern.search(snap.text) is not None
        patterns = [phrase_pattern((phrase,)) for phrase in value]
        return lambda snap: all(p.search(snap.text) for p in patterns)
    if name == "is_vip":
        return lambda snap: snap.is_vip is not None and snap.is_vip == value
    if name == "recent_tickets":
        test, days = _number_test(op, value), node["days"]
        return lambda snap: test(snap.recent_tickets(days))
    if name == "usage_change":
        test, measure, days = _number_test(op, value), node["measure"], node["days"]
        return lambda snap: (change := snap.usage_change(measure, days)) is not None and test(change * 100)
    if name in NUMBER_FIELDS:
        test = _number_test(op, value)
        return lambda snap: (fact := snap.fact(name)) is not None and test(fact)
    if op == "at_least":
        rank = PRIORITY_RANK[value]
        return lambda snap: PRIORITY_RANK.get(snap.priority, 0) >= rank
    names = {v.lower() for v in value}
    inside = op == "in"
    return lambda snap: (fact := snap.fact(name)) is not None and (fact.lower() in names) == inside


def compile_conditions(node: dict) -> Predicate:
    """Closures over a validated tree (validate first)."""
    if "all" in node:
        parts = [compile_conditions(child) for child in node["all"]]
        return lambda snap: all(part(snap) for part in parts)
    if "any" in node:
        parts = [compile_conditions(child) for child in node["any"]]
        return lambda snap: any(part(snap) for part in parts)
    if "not" in node:
        inner = compile_conditions(node["not"])
        return lambda snap: not inner(snap)
    return _leaf(node)


@dataclass(frozen=True)
class CompiledRule:
    name: str
    matches: Predicate
    actions: tuple[dict, ...]
    stop_processing: bool = False

    @classmethod
    def build(
        cls, name: str, conditions: Any, actions: Any, *, stop_processing: bool = False
    ) -> CompiledRule:
        validate_rule(conditions, actions)
        return cls(name, compile_conditions(conditions), tuple(actions), stop_processing)


@dataclass
class RuleOutcome:
    """What the fired rules ask for, merged: first team wins, highest tier and priority win, skills add up."""

    fired: list[str] = field(default_factory=list)
    team: str | None = None
    team_rule: str | None = None
    category: str | None = None
    category_rule: str | None = None
    min_tier: int | None = None
    tier_rule: str | None = None
    priority: str | None = None
    human: bool = False
    required_skills: list[str] = field(default_factory=list)
    optional_skills: list[str] = field(default_factory=list)
    notifications: list[tuple[str, str, str]] = field(default_factory=list)  # (rule, to, message)

    def take(self, rule: str, action: dict) -> None:
        kind = action["type"]
        if kind == "route_to_team" and self.team is None:
            self.team, self.team_rule = action["team"], rule
        elif kind == "set_category" and self.category is None:
            self.category, self.category_rule = action["category"], rule
        elif kind == "min_tier" and action["level"] > (self.min_tier or 0):
            self.min_tier, self.tier_rule = action["level"], rule
        elif kind == "set_priority":
            if self.priority is None or PRIORITY_RANK[action["priority"]] > PRIORITY_RANK[self.priority]:
                self.priority = action["priority"]
        elif kind == "require_human":
            self.human = True
        elif kind == "add_skill":
            bucket = self.required_skills if action.get("required", True) else self.optional_skills
            if action["skill"] not in bucket:
                bucket.append(action["skill"])
        elif kind == "notify":
            self.notifications.append((rule, action["to"], action.get("message", "")))


def apply_rules(rules: Iterable[CompiledRule], snap: TicketSnapshot) -> RuleOutcome:
    """Evaluate the rules in order against the snapshot; merge the actions of those that fire."""
    outcome = RuleOutcome()
    for rule in rules:
        if not rule.matches(snap):
            continue
        outcome.fired.append(rule.name)
        for action in rule.actions:
            outcome.take(rule.name, action)
        if rule.stop_processing:
            break
    outcome.optional_skills = [s for s in outcome.optional_skills if s not in outcome.required_skills]
    return outcome
