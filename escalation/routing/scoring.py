"""The priority score: weighted factors add up to 0..100, and thresholds turn the score into a level.

Each factor reads the ticket snapshot and returns a strength from 0 to 1 and a few words saying why;
its admin-edited weight turns that into points. In the order the factors are listed in admin:
- segment: trial 0 ... enterprise 1 (parameters: {"values": {segment: strength}})
- contract value: log-scaled, full strength at {"full_at": 250000}
- renewal: rises as renewal approaches within {"window_days": 60}; only when money is at stake
- churn risk: the organization's churn risk as is
- VIP: 1 for VIP accounts
- frustration: the stronger of frustration and negative sentiment
- severity: 1 for a "critical" phrase, 0.5 for a "major" one ("production down", "urgent", ...)
- repeat contacts: other tickets from the customer in {"days": 14}, full at {"full_at": 3}
- SLA pressure: the share of the SLA window already used (the SLA sweep re-scores as it narrows)
- escalation risk: the predicted escalation probability
- account at risk: 1 while the organization's computed health is below the at-risk threshold
- usage surge: the organization's data volume or API calls grew over {"days": 30}; full at {"full_at": 3.0}
  (+300 %) — new load often comes with performance tickets
A floor lifts the score to a level's threshold, shown as its own factor: a rule's "set priority", the
business impact the customer states (escalation.triage.impact: high for one kind, urgent for critical
ones) or the triage model's priority when it is confident; the strongest wins.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.utils import timezone

from escalation.routing.factors import PARAM_DEFAULTS, FactorKey, FactorSetting
from escalation.routing.policy import current_policy
from escalation.routing.snapshot import TicketSnapshot, snapshot_for
from escalation.text import phrases_found
from helpdesk.models import Priority, Ticket
from helpdesk.models.tickets import PRIORITY_RANK

MAX_SCORE = 100.0


@dataclass(frozen=True)
class Factor:
    name: str
    value: float | str | None
    weight: float
    contribution: float
    label: str = ""
    detail: str = ""

    def as_record(self) -> dict:
        return {
            "name": self.name,
            "value": self.value,
            "weight": self.weight,
            "contribution": self.contribution,
            "label": self.label or self.name,
            "detail": self.detail,
        }


@dataclass(frozen=True)
class Score:
    value: float
    priority: str
    factors: list[Factor] = field(default_factory=list)


def _clamp(x: float) -> float:
    return max(0.0, min(1.0, x))


def _segment(snap: TicketSnapshot, params: dict) -> tuple[float, str]:
    if snap.segment is None:
        return 0.0, "no organization"
    return float(params["values"].get(snap.segment, 0.0)), snap.segment


def _contract_value(snap: TicketSnapshot, params: dict) -> tuple[float, str]:
    value = snap.contract_value or 0.0
    return _clamp(math.log1p(value) / math.log1p(params["full_at"])), f"{value:,.0f} a year"


def _renewal(snap: TicketSnapshot, params: dict) -> tuple[float, str]:
    days, window = snap.days_to_renewal, params["window_days"]
    if days is None or not snap.contract_value:
        return 0.0, "no renewal at stake"
    if days < -window or days > window:
        return 0.0, f"renews in {days} days"
    return _clamp(1 - max(days, 0) / window), f"renews in {days} days" if days >= 0 else "renewal overdue"


def _churn(snap: TicketSnapshot, params: dict) -> tuple[float, str]:
    risk = snap.churn_risk or 0.0
    return _clamp(risk), f"churn risk {risk:.0%}"


def _vip(snap: TicketSnapshot, params: dict) -> tuple[float, str]:
    return (1.0, "VIP") if snap.is_vip else (0.0, "not VIP")


def _frustration(snap: TicketSnapshot, params: dict) -> tuple[float, str]:
    frustration = snap.frustration or 0.0
    negativity = -(snap.sentiment or 0.0)
    if snap.frustration is None and snap.sentiment is None:
        return 0.0, "not measured yet"
    return _clamp(
        max(frustration, negativity)
    ), f"frustration {frustration:.2f}, sentiment {snap.sentiment or 0:+.2f}"


def _severity(snap: TicketSnapshot, params: dict) -> tuple[float, str]:
    critical = phrases_found(snap.text, params["critical"])
    if critical:
        return 1.0, "mentions " + ", ".join(repr(p) for p in critical[:3])
    major = phrases_found(snap.text, params["major"])
    if major:
        return 0.5, "mentions " + ", ".join(repr(p) for p in major[:3])
    return 0.0, "no severity cues"


def _repeat(snap: TicketSnapshot, params: dict) -> tuple[float, str]:
    others = max(snap.recent_tickets(params["days"]) - 1, 0)
    return _clamp(others / params["full_at"]), f"{others} other ticket(s) in {params['days']} days"


def _sla_pressure(snap: TicketSnapshot, params: dict) -> tuple[float, str]:
    if snap.sla_breached:
        return 1.0, "SLA breached"
    if snap.sla_due is None or snap.sla_start is None:
        return 0.0, "no SLA due time"
    window = (snap.sla_due - snap.sla_start).total_seconds()
    used = (snap.now - snap.sla_start).total_seconds()
    left = snap.sla_due - snap.now
    share = _clamp(used / window) if window > 0 else 1.0
    if left.total_seconds() <= 0:
        return 1.0, "SLA due time passed"
    return share, f"{int(left.total_seconds() // 60)} min left"


def _escalation_risk(snap: TicketSnapshot, params: dict) -> tuple[float, str]:
    p = snap.escalation_probability
    return (_clamp(p), f"{p:.0%} likely to escalate") if p is not None else (0.0, "no prediction")


def _account_at_risk(snap: TicketSnapshot, params: dict) -> tuple[float, str]:
    if snap.account_health is None:
        return 0.0, "account health not computed"
    if snap.account_at_risk:
        return 1.0, f"account at risk (health {snap.account_health:.0f}/100)"
    return 0.0, f"account healthy ({snap.account_health:.0f}/100)"


def _usage_surge(snap: TicketSnapshot, params: dict) -> tuple[float, str]:
    days = int(params["days"]) if int(params["days"]) in (7, 30, 90) else 30
    changes = [
        (change, measure)
        for measure in ("data_volume", "api_calls")
        if (change := snap.usage_change(measure, days)) is not None
    ]
    if not changes:
        return 0.0, "no usage trend on record"
    change, measure = max(changes)
    words = f"{measure.replace('_', ' ')} {change:+.0%} in {days} days"
    return _clamp(change / params["full_at"]), words


FACTORS: dict[str, Callable[[TicketSnapshot, dict], tuple[float, str]]] = {
    FactorKey.SEGMENT: _segment,
    FactorKey.CONTRACT_VALUE: _contract_value,
    FactorKey.RENEWAL: _renewal,
    FactorKey.CHURN_RISK: _churn,
    FactorKey.VIP: _vip,
    FactorKey.FRUSTRATION: _frustration,
    FactorKey.SEVERITY: _severity,
    FactorKey.REPEAT_CONTACTS: _repeat,
    FactorKey.SLA_PRESSURE: _sla_pressure,
    FactorKey.ESCALATION_RISK: _escalation_risk,
    FactorKey.ACCOUNT_AT_RISK: _account_at_risk,
    FactorKey.USAGE_SURGE: _usage_surge,
}


def priority_for(value: float, thresholds: tuple[tuple[float, str], ...]) -> str:
    """The highest level whose threshold the score reaches (thresholds sorted high to low)."""
    for minimum, level in thresholds:
        if value >= minimum:
            return level
    return Priority.LOW


@dataclass(frozen=True)
class Floor:
    """A priority the score may not rank a ticket below, and what set it: a rule, the business impact
    the customer states, or the triage model's confident priority."""

    priority: str
    name: str = "rule_priority"
    label: str = "Rule priority"
    detail: str = ""

    def as_record(self) -> list[str]:
        return [self.priority, self.name, self.label, self.detail]

    @classmethod
    def of(cls, value) -> Floor | None:
        """From a stored record, or a bare level (a rule's, as older routing runs stored it)."""
        if not value:
            return None
        if isinstance(value, str):
            return cls(value, detail=f"a rule sets priority at least {value}")
        return cls(*value)


def strongest_floor(*floors: Floor | None) -> Floor | None:
    """The highest of the floors (the first of equals)."""
    present = [f for f in floors if f is not None and f.priority in Priority.values]
    return max(present, key=lambda f: PRIORITY_RANK[f.priority], default=None)


def score_snapshot(
    snap: TicketSnapshot,
    *,
    factors: tuple[FactorSetting, ...],
    thresholds: tuple[tuple[float, str], ...],
    floor: str | Floor | None = None,
) -> Score:
    """Add up the weighted factors; lift the result to the priority floor (a rule's, the business
    impact's or the model's), shown as its own factor."""
    if isinstance(floor, str):
        floor = Floor.of(floor)
    parts = []
    for setting in factors:
        params = {**PARAM_DEFAULTS.get(setting.key, {}), **setting.parameters}
        strength, detail = FACTORS[setting.key](snap, params)
        parts.append(
            Factor(
                name=setting.key,
                value=round(strength, 3),
                weight=setting.weight,
                contribution=round(strength * setting.weight, 2),
                label=FactorKey(setting.key).label,
                detail=detail,
            )
        )
    value = score_of(p.contribution for p in parts)
    level = floor.priority if floor else None
    floor_score = next((minimum for minimum, name in thresholds if name == level), None)
    if floor_score is not None and value < floor_score:
        parts.append(
            Factor(
                floor.name,
                level,
                1.0,
                round(floor_score - value, 2),
                floor.label,
                floor.detail or f"at least {level}",
            )
        )
        value = floor_score
    value = round(value, 2)
    return Score(value=value, priority=priority_for(value, thresholds), factors=parts)


def score_of(contributions: Iterable[float]) -> float:
    """Factor points add up to the score, capped at MAX_SCORE (a floor, when it lifts the score, is a
    factor of its own, so a stored list of factors adds up to the score it produced)."""
    return min(MAX_SCORE, sum(contributions))


def priority_floor(ticket: Ticket) -> Floor | None:
    """The floor routing set on this ticket (kept in metadata so later re-scores honour it)."""
    return Floor.of((ticket.metadata or {}).get("routing", {}).get("priority_floor"))


def score_ticket(ticket: Ticket, *, now: dt.datetime | None = None, history: list | None = None) -> Score:
    """Score a ticket from its current facts (the SLA sweep calls this as windows narrow, passing the
    customer's recent tickets it read for the whole batch as `history`)."""
    policy = current_policy()
    now = now or timezone.now()
    snap = snapshot_for(ticket, now=now, good_csat=policy.knobs.good_csat, history=history)
    return score_snapshot(
        snap, factors=policy.factors, thresholds=policy.thresholds, floor=priority_floor(ticket)
    )
