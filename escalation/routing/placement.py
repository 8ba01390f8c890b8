"""Where a ticket belongs (team, tier) and what it asks of an agent (skills, language, waits)."""

from __future__ import annotations

import dataclasses
import datetime as dt

from escalation.coverage.gaps import on_call_agents
from escalation.routing.candidates import Need, Weights
from escalation.routing.decisions import routing_state
from escalation.routing.policy import Policy
from escalation.routing.run import CONTENT_TRIGGERS, Run
from escalation.triage.impact import COMPLEX_TIER
from helpdesk.models import Category, CategorySource, Team, Tier
from helpdesk.models.tickets import PRIORITY_RANK


def take_triage(run: Run) -> None:
    """Triage's numbers always; its category when the ticket has none, or after the customer wrote again.

    A category the customer chose (or a rule set) is replaced only when the model is at least as confident
    as RoutingConfig.category_override_confidence, and then the change shows as the model's suggestion with
    its confidence; below that the suggestion is only noted. An agent's choice is never replaced.
    """
    ticket, triage = run.ticket, run.triage
    for name in ("sentiment", "frustration", "escalation_probability", "confidence"):
        value = getattr(triage, name)
        if value is not None:
            setattr(ticket, name, value)
    guess = triage.category
    if guess is None or guess.pk == ticket.category_id:
        return
    if ticket.category_id is None:
        ticket.category, ticket.category_source = guess, CategorySource.MODEL
        return
    if run.trigger != "customer_wrote" or ticket.category_source == CategorySource.AGENT:
        return
    if ticket.category_source in ("", CategorySource.MODEL):
        ticket.category, ticket.category_source = guess, CategorySource.MODEL
        return
    needed = run.policy.knobs.category_override_confidence
    confidence = triage.confidence
    said = (
        f"Model suggests category {guess} ({confidence:.0%} confident)"
        if confidence is not None
        else (f"Triage suggests category {guess} (no confidence score)")
    )
    who = "the customer's" if ticket.category_source == CategorySource.CUSTOMER else "a rule's"
    if confidence is not None and confidence >= needed:
        run.suggestion = {
            "category": guess.name,
            "confidence": confidence,
            "replaced": ticket.category.name,
            "replaced_source": ticket.category_source,
            "applied": True,
        }
        run.notes.append(f"{said} ≥ {needed:.0%}: it replaces {who} choice {ticket.category}")
        ticket.category, ticket.category_source = guess, CategorySource.MODEL
    else:
        run.suggestion = {
            "category": guess.name,
            "confidence": confidence,
            "kept": ticket.category.name,
            "kept_source": ticket.category_source,
            "applied": False,
        }
        run.notes.append(f"{said} < {needed:.0%}: {who} choice {ticket.category} is kept")


def take_rule_category(run: Run) -> None:
    """A rule's "set category" (unless an agent chose the category)."""
    name = run.outcome.category
    if not name or run.ticket.category_source == CategorySource.AGENT:
        return
    category_id = (run.policy.category_ids or {}).get(name.lower())
    if category_id is None:
        run.notes.append(f"Rule '{run.outcome.category_rule}' names category {name}, which does not exist")
        return
    if category_id != run.ticket.category_id:
        run.ticket.category = Category.objects.select_related("team").get(pk=category_id)
    run.ticket.category_source = CategorySource.RULE


# Ticket metadata naming the team of the mailbox an e-mail came to (helpdesk.mail.ingest).
MAILBOX_TEAM = "mailbox_team"
# Triage at least this confident outweighs the mailbox's hint.
TRIAGE_BEATS_MAILBOX = 0.6


def _triage_sure(run: Run) -> bool:
    return run.triage.team is not None and (run.triage.confidence or 0) >= TRIAGE_BEATS_MAILBOX


def settle_team(run: Run) -> None:
    """A rule's team (new tickets and new messages only), else triage's after a message, else current,
    else the mailbox's team unless triage is sure, else triage, else the category's."""
    ticket, outcome, policy = run.ticket, run.outcome, run.policy
    team_id = ticket.team_id
    if outcome.team and run.trigger in CONTENT_TRIGGERS:
        ruled = policy.team_ids.get(outcome.team.lower())
        if ruled is None:
            run.notes.append(f"Rule '{outcome.team_rule}' names team {outcome.team}, which does not exist")
        team_id = ruled or team_id
    elif outcome.team and policy.team_ids.get(outcome.team.lower()) != team_id:
        run.notes.append(f"Rule '{outcome.team_rule}' did not move the ticket: it was {run.trigger}")
    if team_id == ticket.team_id and run.trigger == "customer_wrote" and run.triage.team is not None:
        team_id = run.triage.team.pk
    hint = (ticket.metadata or {}).get(MAILBOX_TEAM)
    if team_id is None and hint in policy.team_ids.values() and not _triage_sure(run):
        team_id = hint  # the mailbox it was sent to (billing@ → Billing), when triage has no clear answer
        run.notes.append("Sent to the team's mailbox: its team suggested")
    if team_id is None and run.triage.team is not None:
        team_id = run.triage.team.pk
    if team_id is None and ticket.category_id and ticket.category.team_id:
        team_id = ticket.category.team_id
    if team_id != ticket.team_id:
        ticket.team = Team.objects.get(pk=team_id) if team_id else None


def align_category(run: Run) -> None:
    """A category the model guessed belongs with the ticket's team. When a rule, the mailbox or a
    follow-up put the ticket with another team, the model's likeliest category of that team takes its
    place, or none when the model knows none of that team's categories. Categories a customer, a rule
    or an agent chose stay as they are."""
    ticket = run.ticket
    category = ticket.category if ticket.category_id else None
    if (
        category is None
        or ticket.category_source != CategorySource.MODEL
        or not ticket.team_id
        or category.team_id in (None, ticket.team_id)
    ):
        return
    likelihood = run.triage.category_probabilities
    known = [
        c
        for c in Category.objects.select_related("team").filter(team_id=ticket.team_id)
        if c.name in likelihood
    ]
    chosen = max(known, key=lambda c: likelihood[c.name], default=None)
    if chosen is None:
        ticket.category, ticket.category_source = None, ""
        run.notes.append(f"Category {category} is {category.team}'s, not {ticket.team}'s: category cleared")
        return
    ticket.category, confidence = chosen, likelihood[chosen.name]
    # Automation acts on the confidence in the category the ticket carries, not in the one it lost.
    run.triage = dataclasses.replace(run.triage, confidence=confidence)
    ticket.confidence = confidence
    run.notes.append(
        f"Category {category} is {category.team}'s, not {ticket.team}'s: the model's likeliest of "
        f"{ticket.team}'s categories is {chosen} ({confidence:.0%})"
    )


def predicted_tier(run: Run) -> int:
    """Predictive escalation: a new ticket the model expects to escalate goes straight to the tier that
    escalated tickets of its team ended at (learned from history), instead of passing through tier 1."""
    triage, threshold = run.triage, run.policy.knobs.predictive_escalation
    probability, tier = triage.escalation_probability, triage.suggested_tier
    if run.trigger != "created" or tier is None or probability is None or probability < threshold:
        return 0
    run.notes.append(
        f"Predicted escalation {probability:.0%} (threshold {threshold:.0%}): "
        f"sent to tier {tier}, where similar tickets ended"
    )
    return tier


def complexity_tier(run: Run) -> int:
    """A new ticket whose text shows a complex, multi-system or load-dependent problem starts at tier 2."""
    impact = run.impact
    if run.trigger != "created" or impact is None or not impact.complex:
        return 0
    run.notes.append(f"Complex problem ({impact.describe_complexity()}): starts at tier {COMPLEX_TIER}")
    return COMPLEX_TIER


def settle_tier(run: Run) -> None:
    """The highest of the current tier, rule minimums and triage's suggestion, among existing tiers.

    A raise is dropped when nobody in the team works at that tier or above, so rules and models cannot
    strand a ticket (an agent's own hierarchical escalation is never undone: it set the current tier).
    """
    ticket, levels = run.ticket, run.policy.tier_ids
    if not levels:
        return
    current = ticket.tier.level if ticket.tier_id else min(levels)
    wanted = max([current, run.outcome.min_tier or 0, predicted_tier(run), complexity_tier(run)])
    target = max((level for level in levels if level <= wanted), default=current)
    if target > current and run.agents and not any(a.tier_level >= target for a in run.agents):
        run.notes.append(
            f"Tier {target} was asked for, but {ticket.team} has nobody there: kept at tier {current}"
        )
        target = current
    if ticket.tier_id != levels[target]:
        ticket.tier = Tier.objects.get(pk=levels[target])


def skills_needed(run: Run) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(required, optional) skill names: what rules added, the ticket's own, and its category's."""
    ticket = run.ticket
    names = list(run.outcome.required_skills)
    if getattr(ticket, "has_own_skills", True):
        names += ticket.required_skills.values_list("name", flat=True)
    from_category = run.policy.category_skills.get(ticket.category_id, ())
    # A category's skills are its home team's; once escalated to another team they are only preferred.
    at_home = ticket.category_id is None or ticket.category.team_id in (None, ticket.team_id)
    if at_home:
        names += from_category
    required = tuple(dict.fromkeys(names))
    optional = tuple(
        dict.fromkeys(s for s in (*run.outcome.optional_skills, *from_category) if s not in required)
    )
    return required, optional


def need_for(run: Run) -> Need:
    """What an agent must offer now; optional skills relax and overflow opens after the configured waits."""
    knobs, ticket = run.policy.knobs, run.ticket
    since = routing_state(ticket).get("waiting_since")
    waited = (run.now - dt.datetime.fromisoformat(since)) if since else dt.timedelta(0)
    # An urgent ticket does not wait for a preferred skill or language: they only rank the agents.
    relaxed = waited >= dt.timedelta(minutes=knobs.skill_relax_minutes) or ticket.priority == "urgent"
    overflow = waited >= dt.timedelta(minutes=knobs.overflow_minutes)
    required, optional = skills_needed(run)
    level = ticket.tier.level if ticket.tier_id else 1
    if relaxed and optional:
        run.notes.append(
            "Preferred skills only rank agents: the ticket is urgent"
            if ticket.priority == "urgent" and waited < dt.timedelta(minutes=knobs.skill_relax_minutes)
            else f"Preferred skills relaxed after {knobs.skill_relax_minutes} min of waiting"
        )
    if overflow:
        run.notes.append(f"Tier {level + 1} may take it after {knobs.overflow_minutes} min of waiting")
    priority_rank = PRIORITY_RANK.get(ticket.priority, 1)
    on_call = (
        on_call_agents(ticket.team_id, run.now)
        if priority_rank >= PRIORITY_RANK.get(knobs.on_call_min_priority, 2)
        else frozenset()
    )
    relax_after = knobs.urgent_relax_required_minutes
    relax_required = bool(
        relax_after
        and required
        and ticket.priority == "urgent"
        and waited >= dt.timedelta(minutes=relax_after)
    )
    if relax_required:
        run.notes.append(
            f"Urgent and waiting {int(waited.total_seconds() // 60)} min: required skills "
            f"({', '.join(required)}) relaxed after {relax_after} min"
        )
    return Need(
        tier_level=level,
        overflow=overflow,
        required_skills=required,
        optional_skills=optional,
        relaxed=relaxed,
        relax_minutes=knobs.skill_relax_minutes,
        language=ticket.language,
        excluded=run.excluded,
        declined=run.history.declined_by,
        last_good_agent_id=run.snap.last_good_agent_id if run.snap else None,
        urgent=overflow
        or (run.score.value if run.score else 0) >= knobs.urgent_score,  # old or urgent: fit over balance
        current_assignee_id=ticket.assignee_id,
        on_call=on_call,
        relax_required=relax_required,
    )


def weights(policy: Policy) -> Weights:
    k = policy.knobs
    return Weights(k.skill_weight, k.load_weight, k.stickiness_weight, k.urgent_load_factor)
