"""Triage of one ticket: the active model's guess, or the categories' keywords, plus the customer's mood."""

from __future__ import annotations

from escalation.triage.keywords import best_category
from escalation.triage.predict import model_triage
from escalation.triage.result import TriageResult
from escalation.triage.sentiment import KnownRows, with_mood
from escalation.triage.store import active_model
from helpdesk.models import Ticket


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


def triage_ticket(ticket: Ticket, *, reads: KnownRows | None = None) -> TriageResult:
    """Best guess about a ticket from its text and context. Never raises for ordinary input.
    `reads`: rows a routing batch read already (the customer's messages and recent tickets)."""
    model = active_model()
    result = model_triage(ticket, model) if model is not None else keyword_triage(ticket)
    return with_mood(result, ticket, reads=reads)
