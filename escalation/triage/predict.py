"""Triage with the trained model: the ticket as features, the heads' guesses as a TriageResult."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from escalation.triage.features import TicketFeatures, ticket_text
from escalation.triage.result import TriageResult
from escalation.triage.store import HeadGuess, LoadedModel
from helpdesk.models import AuthorKind, Category, Message, Team, Ticket

LATER_MESSAGES = 3  # the customer's newest follow-ups that join the text when triaging again
REPEAT_WINDOW = dt.timedelta(days=30)  # the same window training counts repeat contacts in


def _later_customer_text(ticket: Ticket) -> list[str]:
    """Follow-ups after the first message (none on a new ticket, which costs no query)."""
    if (
        ticket.pk is None
        or not ticket.last_customer_message_at
        or ticket.last_customer_message_at <= ticket.created_at
    ):
        return []
    bodies = (
        Message.objects.filter(ticket=ticket, author_kind=AuthorKind.CUSTOMER, is_internal=False)
        .exclude(created_at__lte=ticket.created_at)
        .order_by("-created_at")
        .values_list("body", flat=True)[:LATER_MESSAGES]
    )
    return list(reversed(bodies))


def features_for(ticket: Ticket) -> TicketFeatures:
    org = ticket.organization
    since = (ticket.created_at or timezone.now()) - REPEAT_WINDOW
    repeats = (
        Ticket.objects.filter(
            customer_id=ticket.customer_id, created_at__gte=since, created_at__lt=ticket.created_at
        )
        .exclude(pk=ticket.pk)
        .count()
        if ticket.customer_id
        else 0
    )
    return TicketFeatures(
        text=ticket_text(ticket.subject, ticket.body, *_later_customer_text(ticket)),
        channel=ticket.channel,
        segment=org.segment if org else "",
        contract_value=float(org.annual_contract_value) if org else 0.0,
        vip=bool(org and org.is_vip),
        repeat_contacts=repeats,
    )


# A guess is a shrug below this probability, or below 1.5 times a blind guess among the head's labels.
UNSURE_CATEGORY = 0.35
UNSURE_TEAM = 0.5


def _unsure(guess: HeadGuess, floor: float) -> bool:
    return guess.probability < max(floor, 1.5 / max(len(guess.probabilities), 1))


def model_triage(ticket: Ticket, model: LoadedModel) -> TriageResult:
    """Team, category, priority, escalation probability and a calibrated confidence from the model."""
    guesses = model.predict(features_for(ticket))
    team_guess, category_guess = guesses.get("team"), guesses.get("category")
    team = Team.objects.filter(name=team_guess.label).first() if team_guess else None
    category = (
        Category.objects.select_related("team").filter(name=category_guess.label).first()
        if category_guess
        else None
    )
    escalation = guesses.get("escalation")
    probability = escalation.probabilities.get("escalated") if escalation else None
    # Confidence is in what automation would act on: the category when the model knows categories.
    decisive = category_guess if category is not None else team_guess
    notes = (
        [f"Model {model.version}: team {team_guess.label} {team_guess.probability:.0%}"] if team_guess else []
    )
    if category_guess:
        notes.append(f"category {category_guess.label} {category_guess.probability:.0%}")
    if team is None and team_guess:
        notes.append(f"the predicted team {team_guess.label} no longer exists")
    priority = guesses.get("priority")
    return TriageResult(
        category=category,
        team=team or (category.team if category else None),
        priority=priority.label if priority else None,
        priority_confidence=priority.probability if priority else None,
        escalation_probability=probability,
        confidence=decisive.probability if decisive else None,
        category_probabilities=category_guess.probabilities if category_guess else {},
        category_unsure=category_guess is not None and _unsure(category_guess, UNSURE_CATEGORY),
        team_unsure=team_guess is not None and _unsure(team_guess, UNSURE_TEAM),
        suggested_tier=model.end_tiers.get(team_guess.label) if team_guess else None,
        source="model",
        model_version=model.version,
        notes=["; ".join(notes) + "."] if notes else [],
    )
