"""Relationship risk beats technical confidence.

A senior support lead never lets a bot answer a customer who is furious, who is writing for the fourth
time this week, whose enterprise contract renews next month, whose account is likely to churn, or who
talks about cancelling, however sure the model is about the question. These guardrails are fields of the
autonomy defaults (admin: Autonomy defaults → Relationship guardrails); `relationship_risks` names each
one that holds for a ticket, and the autonomy decision keeps automation out (a human, or a draft for
review at most) with those names in its explanation.
"""

from __future__ import annotations

from dataclasses import dataclass

from escalation.models.autonomy import AutonomyDefaults
from escalation.process_cache import ProcessCache
from escalation.routing.snapshot import TicketSnapshot
from escalation.text import THREATS_TO_LEAVE, phrases_found
from helpdesk.models import Autonomy, Segment

# Any mention of cancelling keeps a bot away, even a question about the cancellation policy.
CANCELLATION_PHRASES = (*THREATS_TO_LEAVE, "cancellation")
CANCELLATION_CATEGORIES = frozenset({"cancellation"})


@dataclass(frozen=True)
class Guardrails:
    """The admin's guardrails as plain values; None switches one off."""

    mode: str = Autonomy.HUMAN
    frustration: float | None = 0.6
    repeat_tickets: int | None = 3
    repeat_days: int = 7
    renewal_days: int | None = 60
    churn_risk: float | None = 0.6
    cancellation: bool = True

    @classmethod
    def load(cls) -> Guardrails:
        d = AutonomyDefaults.objects.filter(pk=1).first() or AutonomyDefaults()
        return cls(
            mode=d.guard_mode,
            frustration=d.guard_frustration,
            repeat_tickets=d.guard_repeat_tickets,
            repeat_days=d.guard_repeat_days,
            renewal_days=d.guard_renewal_days,
            churn_risk=d.guard_churn_risk,
            cancellation=d.guard_cancellation,
        )


def relationship_risks(snap: TicketSnapshot, guard: Guardrails) -> list[str]:
    """Each guardrail that holds for the ticket, in words ("frustration 0.85 ≥ 0.60")."""
    risks = []
    if guard.frustration is not None and (snap.frustration or 0.0) >= guard.frustration:
        risks.append(f"frustration {snap.frustration:.2f} ≥ {guard.frustration:.2f}")
    if guard.repeat_tickets is not None:
        recent = snap.recent_tickets(guard.repeat_days)
        if recent >= guard.repeat_tickets:
            risks.append(
                f"repeat contact: {recent} tickets in {guard.repeat_days} days (≥ {guard.repeat_tickets})"
            )
    key_account = bool(snap.is_vip) or snap.segment == Segment.ENTERPRISE
    days = snap.days_to_renewal
    if (
        guard.renewal_days is not None
        and key_account
        and days is not None
        and 0 <= days <= guard.renewal_days
    ):
        who = "VIP" if snap.is_vip else "enterprise"
        risks.append(f"{who} account renews in {days} days (≤ {guard.renewal_days})")
    if guard.churn_risk is not None and (snap.churn_risk or 0.0) >= guard.churn_risk:
        risks.append(f"churn risk {snap.churn_risk:.0%} ≥ {guard.churn_risk:.0%}")
    if guard.cancellation:
        said = phrases_found(snap.text, CANCELLATION_PHRASES)
        if said or (snap.category or "").lower() in CANCELLATION_CATEGORIES:
            risks.append(f"cancellation intent ({', '.join(repr(p) for p in said[:2]) or snap.category})")
    return risks


_guardrails = ProcessCache(Guardrails.load)


def current_guardrails() -> Guardrails:
    """The guardrails, read once per process for a few seconds (escalation/process_cache.py)."""
    return _guardrails.get()


def forget_guardrails(**kwargs) -> None:
    _guardrails.forget()
