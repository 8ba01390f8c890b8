"""A customer's follow-up does not move their ticket by its wording alone.

"URGENT … security breach" in a reply would otherwise let keyword rules and keyword triage move a
profile-picture question from Accounts/normal to Security/urgent: anyone could jump the queue. On a
follow-up (trigger `customer_wrote`) the ticket keeps its team, category and priority unless the
trained model agrees with at least FOLLOW_UP_CONFIDENCE; an agent confirms a move by escalating the
ticket or setting its priority. The routing decision's explanation says which happened.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from escalation.routing.run import Run
from escalation.triage.result import TriageResult
from helpdesk.models import Category, Priority, Team

FOLLOW_UP_CONFIDENCE = 0.8
_RANK = {value: rank for rank, value in enumerate(Priority.values)}


@dataclass(frozen=True)
class Place:
    team: Team | None
    category: Category | None
    priority: str


def model_agrees(triage: TriageResult) -> bool:
    return triage.source == "model" and (triage.confidence or 0.0) >= FOLLOW_UP_CONFIDENCE


def _why_not(triage: TriageResult) -> str:
    if triage.source != "model":
        return "only keywords suggest it, no trained model"
    return f"the model's confidence is {triage.confidence or 0:.0%}, below {FOLLOW_UP_CONFIDENCE:.0%}"


def place_before(run: Run) -> Place | None:
    """Where a ticket stands before a follow-up is read (None for other triggers)."""
    if run.trigger != "customer_wrote":
        return None
    ticket = run.ticket
    return Place(team=ticket.team, category=ticket.category, priority=ticket.priority)


def set_rules_aside(run: Run, before: Place | None) -> None:
    """After the rules ran on a follow-up: what they ask of team, tier, priority and skills waits for the
    model or an agent. Their notifications still go out, so a person looks at it."""
    if before is None or model_agrees(run.triage):
        return
    outcome = run.outcome
    asks = outcome.team or outcome.category or outcome.priority or outcome.min_tier or outcome.required_skills
    if not asks:
        return
    run.outcome = replace(
        outcome,
        team=None,
        category=None,
        priority=None,
        min_tier=None,
        required_skills=[],
        optional_skills=[],
    )
    run.notes.append(
        f"Rules fired on the customer's follow-up ({', '.join(outcome.fired)}); their moves are set aside, "
        f"{_why_not(run.triage)}"
    )


def keep_place(run: Run, before: Place | None) -> None:
    """After the team is settled: undo a move the follow-up's wording alone asked for."""
    if before is None:
        return
    ticket = run.ticket
    moved = ticket.team_id != (before.team.pk if before.team else None)
    recategorised = ticket.category_id != (before.category.pk if before.category else None)
    if not (moved or recategorised):
        return
    suggested = ticket.team.name if ticket.team else "no team"
    if model_agrees(run.triage):
        run.notes.append(
            f"The customer's follow-up moved the ticket to {suggested}: the model agrees "
            f"({run.triage.confidence:.0%})"
        )
        return
    ticket.team, ticket.category = before.team, before.category
    run.notes.append(
        f"The customer's follow-up suggests {suggested}; not moved, {_why_not(run.triage)}. "
        "An agent can confirm by escalating"
    )


def keep_priority(run: Run, before: Place | None) -> None:
    """After scoring: a follow-up's wording alone does not raise the priority."""
    if before is None:
        return
    ticket = run.ticket
    if _RANK.get(ticket.priority, 0) <= _RANK.get(before.priority, 0):
        return
    if model_agrees(run.triage):
        run.notes.append(f"Priority raised to {ticket.priority} after the follow-up: the model agrees")
        return
    run.notes.append(
        f"The customer's follow-up suggests priority {ticket.priority}; kept at {before.priority}, "
        f"{_why_not(run.triage)}. An agent can confirm by setting the priority"
    )
    ticket.priority = before.priority
