"""What triage concluded about a ticket, and where it came from (a model or the keyword fallback)."""

from __future__ import annotations

from dataclasses import dataclass, field

from helpdesk.models import Category, Team


@dataclass(frozen=True)
class TriageResult:
    category: Category | None = None
    team: Team | None = None
    priority: str | None = None
    priority_confidence: float | None = None
    escalation_probability: float | None = None
    confidence: float | None = None
    # The category head's probability of every category it knows (empty without a model's category head).
    category_probabilities: dict[str, float] = field(default_factory=dict)
    # The model's guess is little better than chance (text unlike anything it learnt from: another
    # language, a few words): escalation.triage.ticket lets the categories' keywords answer then.
    category_unsure: bool = False
    team_unsure: bool = False
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
            "priority_confidence": self.priority_confidence,
            "escalation_probability": self.escalation_probability,
            "confidence": self.confidence,
            "category_unsure": self.category_unsure,
            "team_unsure": self.team_unsure,
            "sentiment": self.sentiment,
            "frustration": self.frustration,
            "suggested_tier": self.suggested_tier,
            "source": self.source,
            "model_version": self.model_version,
            "notes": self.notes,
        }
