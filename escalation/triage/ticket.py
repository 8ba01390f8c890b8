"""Triage of one ticket: the active model's guess, or the categories' keywords, plus the customer's mood."""

from __future__ import annotations

import dataclasses

from django.conf import settings

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
        result = keywords_when_unsure(model_triage(ticket, model), ticket, model.languages)
    return with_mood(result, ticket, reads=reads)


# A language under this share of the tickets a model learnt from is one it barely knows.
RARE_LANGUAGE_SHARE = 0.05


def written_in_unknown_language(ticket: Ticket, learnt: dict[str, float]) -> bool:
    """Is the ticket in a language the model's history (nearly) never had? `learnt` is the history's
    share of each language; a version trained before shares were kept knows the site's language."""
    code = (ticket.language or "")[:2]
    if not code:
        return False
    if not learnt:
        return code != settings.LANGUAGE_CODE[:2]
    return learnt.get(code, 0.0) < RARE_LANGUAGE_SHARE


def keywords_when_unsure(
    result: TriageResult, ticket: Ticket, learnt_languages: dict[str, float]
) -> TriageResult:
    """The model's guess, unless it is unsure of the category and the keywords name one: then the
    keywords' category. Its team replaces the model's only when the model is unsure of the team too and
    the ticket is written in a language the model's history (nearly) never had: in a language it learnt
    from, a doubtful team guess still beats a single keyword (a history half in German routes German
    tickets by the model). The model's confidence stays what it was, so automation keeps out of a
    ticket nobody is sure of."""
    if not result.category_unsure:
        return result
    match = best_category(f"{ticket.subject}\n{ticket.body}")
    if match is None or match.category == result.category:
        return result
    keyword_team = match.category.team
    unknown_language = written_in_unknown_language(ticket, learnt_languages)
    if keyword_team != result.team and not (result.team_unsure and unknown_language):
        return result
    note = (
        f"The model was unsure ({result.confidence:.0%}); the keywords of {match.category} matched: "
        f"{', '.join(match.hits)}."
    )
    return dataclasses.replace(
        result, category=match.category, team=keyword_team, notes=[*result.notes, note]
    )
