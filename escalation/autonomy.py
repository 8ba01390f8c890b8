"""The autonomy decision: may automation answer this ticket, must a person review, or only a human?

First version: always human (no trained model, no thresholds yet).
"""

from __future__ import annotations

from dataclasses import dataclass

from escalation.triage import TriageResult
from helpdesk.models import Autonomy, Ticket


@dataclass(frozen=True)
class AutonomyDecision:
    mode: str  # Autonomy value
    reason: str
    threshold: float | None = None


def decide_autonomy(ticket: Ticket, triage: TriageResult, *, human_required: bool) -> AutonomyDecision:
    if human_required:
        return AutonomyDecision(Autonomy.HUMAN, "A rule requires a human.")
    return AutonomyDecision(Autonomy.HUMAN, "No trained model yet: people handle every ticket.")


def apply_autonomy(ticket: Ticket, decision: AutonomyDecision) -> bool:
    """Act on an autonomous/review decision. True when automation handled the ticket (no agent needed)."""
    return False
