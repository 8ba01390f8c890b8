"""Triage: what a ticket is about (category/team), how urgent, how it feels, whether it will escalate.

`triage_ticket` is the one entry point routing and intake call. With a trained model active
(`manage.py train_router`, escalation.triage.store) the model answers; on a fresh install the categories'
admin-edited keyword lists do, and the result says so (source "keywords", shown in the decision record).
Sentiment and frustration come from escalation.triage.sentiment either way.
"""

from __future__ import annotations

from escalation.triage.keywords import best_category
from escalation.triage.result import TriageResult
from escalation.triage.sentiment import with_mood
from helpdesk.models import Ticket

__all__ = ["TriageResult", "triage_ticket", "keyword_triage"]


def keyword_triage(ticket: Ticket) -> TriageResult:
    match = best_category(f"{ticket.subject}\n{ticket.body}")
    if match is None:
        return TriageResult(notes=["No trained model; no category keywords matched."])
    return TriageResult(
        category=match.category,
        team=match.category.team,
        source="keywords",
        notes=[f"No trained model; keywords matched: {', '.join(match.hits)}."],
    )


def triage_ticket(ticket: Ticket) -> TriageResult:
    """Best guess about a ticket from its text and context. Never raises for ordinary input."""
    from escalation.triage.predict import model_triage  # scikit-learn loads only when triage first runs
    from escalation.triage.store import active_model

    model = active_model()
    result = model_triage(ticket, model) if model is not None else keyword_triage(ticket)
    return with_mood(result, ticket)
