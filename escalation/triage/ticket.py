"""Triage of one ticket: the active model's guess, or the categories' keywords, plus the customer's mood."""

from __future__ import annotations

import dataclasses

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
    if model is None:
        result = keyword_triage(ticket)
    else:
        result = keywords_when_unsure(model_triage(ticket, model), ticket)
    return with_mood(result, ticket, reads=reads)


def keywords_when_unsure(result: TriageResult, ticket: Ticket) -> TriageResult:
    """The model's guess, unless it is unsure of the category and the keywords name one: then the
    keywords' category, and its team when the model is unsure of the team too or agrees with it. The
    model's confidence stays what it was, so automation still keeps out of a ticket nobody is sure of."""
    if not result.category_unsure:
        return result
    match = best_category(f"{ticket.subject}\n{ticket.body}")
    if match is None or match.category == result.category:
        return result
    keyword_team = match.category.team
    if keyword_team != result.team and not result.team_unsure:
        return result
    note = (
        f"The model was unsure ({result.confidence:.0%}); the keywords of {match.category} matched: "
        f"{', '.join(match.hits)}."
    )
    return dataclasses.replace(
        result, category=match.category, team=keyword_team, notes=[*result.notes, note]
    )
