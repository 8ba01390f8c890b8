"""Triage: what a ticket is about (category/team), how urgent, how it feels, whether it will escalate.

`triage_ticket` is the one entry point routing and intake call. First version: the admin-edited keyword
lists of the categories (the fallback used when no model is trained).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from escalation.triage.keywords import best_category
from escalation.triage.sentiment import with_mood  # sentiment/frustration of the customer's latest words
from helpdesk.models import Category, Team, Ticket


@dataclass(frozen=True)
class TriageResult:
    category: Category | None = None
    team: Team | None = None
    priority: str | None = None
    escalation_probability: float | None = None
    confidence: float | None = None
    sentiment: float | None = None
    frustration: float | None = None
    suggested_tier: int | None = None
    source: str = "keywords"  # "model" or "keywords"
    model_version: str = ""
    notes: list[str] = field(default_factory=list)

    def as_record(self) -> dict:
        """JSON-ready summary for the routing decision record."""
        return {
            "category": self.category.name if self.category else None,
            "team": self.team.name if self.team else None,
            "priority": self.priority,
            "escalation_probability": self.escalation_probability,
            "confidence": self.confidence,
            "sentiment": self.sentiment,
            "frustration": self.frustration,
            "suggested_tier": self.suggested_tier,
            "source": self.source,
            "model_version": self.model_version,
            "notes": self.notes,
        }


def triage_ticket(ticket: Ticket) -> TriageResult:
    """Best guess about a ticket from its text and context. Never raises for ordinary input."""
    match = best_category(f"{ticket.subject}\n{ticket.body}")
    if match is None:
        return with_mood(TriageResult(notes=["No trained model; no category keywords matched."]), ticket)
    return with_mood(
        TriageResult(
            category=match.category,
            team=match.category.team,
            source="keywords",
            notes=[f"No trained model; keywords matched: {', '.join(match.hits)}."],
        ),
        ticket,
    )
