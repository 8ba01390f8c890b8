"""Writing down what a routing run decided: change events, the assignment, the decision record, notices.

The caller (escalation.routing.engine.route) holds the ticket's row lock and the transaction.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from escalation.coverage.gaps import track_gap
from escalation.models import RoutingDecision
from escalation.routing.candidates import Assessment
from escalation.routing.explain import explanation
from escalation.routing.rules import RuleOutcome
from escalation.routing.run import QUIET_TRIGGERS, Run
from escalation.sla.due import SLA_FIELDS, sla_apply
from helpdesk import unit_of_work
from helpdesk.events import event_record
from helpdesk.models import Agent, Role, Ticket, Trigger
from helpdesk.notifications import notify
from helpdesk.services.tickets import do_ticket_assign

ASSIGNING = frozenset({"preferred", "best", "coordinator"})
TICKET_FIELDS = [
    "first_routed_at",
    "team",
    "tier",
    "category",
    "category_source",
    "priority",
    "priority_score",
    "sentiment",
    "frustration",
    "escalation_probability",
    "confidence",
    "autonomy",
    "requires_human",
    "escalation_count",
    "is_flagged",
    "flag_reason",
    "metadata",
    *SLA_FIELDS,
]


@dataclass(frozen=True)
class Choice:
    """Who gets the ticket: kind is automation, coordinator, kept, preferred, best or waiting."""

    kind: str
    headline: str
    agent: Agent | None = None
    assessment: Assessment | None = None


def routing_state(ticket: Ticket) -> dict:
    """The router's notes on the ticket (metadata["routing"]): priority floor, waiting since, rules notified.
    Whether routing has run is the `first_routed_at` column, not these notes."""
    if not isinstance(ticket.metadata, dict):
        ticket.metadata = {}
    return ticket.metadata.setdefault("routing", {})


def _pk(obj) -> int | None:
    return obj.pk if obj is not None else None


def snapshot_before(ticket: Ticket) -> dict:
    return {
        "team": ticket.team,
        "tier": ticket.tier,
        "category": ticket.category,
        "priority": ticket.priority,
        "assignee": ticket.assignee,
    }


def _why_team(run: Run) -> tuple[str, str]:
    """(trigger, reason) for a team change: a rule, or triage (a model, or the keyword fallback)."""
    outcome, ticket = run.outcome, run.ticket
    if outcome.team_rule and ticket.team and ticket.team.name.lower() == (outcome.team or "").lower():
        return Trigger.RULE, f"Rule '{outcome.team_rule}'."
    source = Trigger.MODEL if run.triage.source == "model" else Trigger.SYSTEM
    return source, f"Triage: the ticket is about {ticket.category or 'something else'}."


def _why_tier(run: Run) -> tuple[str, str]:
    level = run.ticket.tier.level if run.ticket.tier_id else None
    if run.outcome.min_tier == level:
        return Trigger.RULE, f"Rule '{run.outcome.tier_rule}' asks for tier {level} or higher."
    return Trigger.MODEL, f"Triage suggests tier {level}."


def record_changes(run: Run, *, overflow: bool) -> None:
    """One event per thing routing changed on the ticket. A new ticket's first placement is recorded as
    team/tier changes; moving a ticket that was already placed is an automatic escalation."""
    ticket, before = run.ticket, run.before
    if _pk(before["team"]) != ticket.team_id:
        _record_team_change(run)
    if _pk(before["tier"]) != ticket.tier_id:
        _record_tier_change(run, overflow=overflow)
    if _pk(before["category"]) != ticket.category_id:
        _record_category_change(run)
    if before["priority"] != ticket.priority:
        _record_priority_change(run)


def _placed(run: Run) -> dict:
    return {"ticket": run.ticket, "trigger": Trigger.ROUTING}


def _moved(run: Run) -> dict:
    return {"ticket": run.ticket, "from_agent": run.before["assignee"], "details": {"by_routing": True}}


def _record_team_change(run: Run) -> None:
    ticket, before = run.ticket, run.before
    trigger, reason = _why_team(run)
    if run.trigger == "created":
        event_record(
            code="ticket.team_changed",
            reason=reason,
            from_team=before["team"],
            to_team=ticket.team,
            details={"initial": True},
            **_placed(run),
        )
        return
    ticket.escalation_count += 1
    event_record(
        code="escalation.functional",
        trigger=trigger,
        reason=reason,
        from_team=before["team"],
        to_team=ticket.team,
        **_moved(run),
    )


def _record_tier_change(run: Run, *, overflow: bool) -> None:
    ticket, before = run.ticket, run.before
    if overflow or run.trigger == "created":
        reason = (
            "Overflow: nobody in the ticket's tier could take it in time." if overflow else "Queue placement."
        )
        event_record(
            code="ticket.tier_changed",
            reason=reason,
            from_tier=before["tier"],
            to_tier=ticket.tier,
            **_placed(run),
        )
        return
    trigger, reason = _why_tier(run)
    ticket.escalation_count += 1
    event_record(
        code="escalation.hierarchical",
        trigger=trigger,
        reason=reason,
        from_tier=before["tier"],
        to_tier=ticket.tier,
        to_team=ticket.team,
        **_moved(run),
    )


def _record_category_change(run: Run) -> None:
    """Who set the category: a rule, the model overriding someone's choice (with its confidence), or
    triage on a ticket nobody had categorised."""
    ticket, before = run.ticket, run.before
    suggestion = run.suggestion if run.suggestion and run.suggestion.get("applied") else None
    if ticket.category_source == "rule":
        trigger, reason = Trigger.RULE, f"Rule '{run.outcome.category_rule}'."
    elif suggestion:
        trigger = Trigger.MODEL
        reason = (
            f"Model suggestion, {suggestion['confidence']:.0%} confident: replaces the "
            f"{suggestion['replaced_source']}'s choice {suggestion['replaced']}."
        )
    else:
        trigger, reason = Trigger.ROUTING, "Triage."
    event_record(
        ticket=ticket,
        trigger=trigger,
        code="ticket.category_changed",
        reason=reason,
        from_value=getattr(before["category"], "name", "")[:40],
        to_value=getattr(ticket.category, "name", "")[:40],
        details={"source": ticket.category_source, **({"suggestion": suggestion} if suggestion else {})},
    )


def _record_priority_change(run: Run) -> None:
    ticket, floor = run.ticket, run.floor
    lifted = floor is not None and any(f.name == floor.name for f in run.score.factors)
    event_record(
        code="ticket.priority_changed",
        reason=f"Priority score {ticket.priority_score:g}"
        + (f"; {floor.label.lower()}: {floor.detail}." if lifted else "."),
        from_value=run.before["priority"],
        to_value=ticket.priority,
        details={"score": ticket.priority_score},
        **_placed(run),
    )


def _recipients(ticket: Ticket, to: str, coordinator_id: int | None) -> list:
    if to == "team_lead":
        lead = ticket.team.lead if ticket.team_id else None
        return [lead.user] if lead else []
    if to == "coordinator":
        agent = (
            Agent.objects.select_related("user").filter(pk=coordinator_id).first() if coordinator_id else None
        )
        return [agent.user] if agent else []
    return [a.user for a in Agent.objects.select_related("user").filter(role=Role.LEAD)]


def send_rule_notifications(
    ticket: Ticket, outcome: RuleOutcome, state: dict, *, coordinator_id: int | None
) -> None:
    """The rules' "notify" actions, once per rule and ticket (routing runs again and again)."""
    notified = state.setdefault("notified", [])
    for rule, to, message in outcome.notifications:
        if rule in notified:
            continue
        notify(
            recipients=_recipients(ticket, to, coordinator_id),
            kind="rule",
            title=f"{ticket.number}: {message or rule}",
            body=f"Rule '{rule}' fired on \"{ticket.subject}\".",
            ticket=ticket,
        )
        notified.append(rule)


def _fingerprint(run: Run) -> str:
    ticket = run.ticket
    parts = (
        ticket.team_id,
        ticket.tier_id,
        ticket.priority,
        tuple((a.agent.pk, a.code) for a in run.assessments),
    )
    return hashlib.sha1(repr(parts).encode()).hexdigest()[:16]


def _update_queue_state(run: Run, choice: Choice) -> bool:
    """Keep waiting_since for the current team/tier queue; True when this is an unchanged wait."""
    ticket, state = run.ticket, routing_state(run.ticket)
    before = dict(state)
    waits = choice.kind == "waiting" or (choice.kind == "coordinator" and choice.agent is None)
    queue = [ticket.team_id, ticket.tier_id]
    if waits and (state.get("queue") != queue or "waiting_since" not in state):
        state.update(queue=queue, waiting_since=run.now.isoformat())
    elif not waits:
        state.pop("queue", None)
        state.pop("waiting_since", None)
    fingerprint = _fingerprint(run)
    unchanged = (
        waits
        and state.get("fingerprint") == fingerprint
        and _pk(run.before["team"]) == ticket.team_id
        and _pk(run.before["tier"]) == ticket.tier_id
        and run.before["priority"] == ticket.priority
    )
    state["fingerprint"] = fingerprint
    return unchanged and state == before


def _overflow_tier(run: Run, choice: Choice) -> bool:
    """An agent of the next tier up took a ticket that waited too long: the ticket moves to their tier."""
    ticket, agent = run.ticket, choice.agent
    if choice.kind == "coordinator" or agent is None or agent.tier_id == ticket.tier_id:
        return False
    if ticket.tier_id and agent.tier.level < ticket.tier.level:
        return False
    ticket.tier = agent.tier
    sla_apply(ticket, now=run.now, state=run.reads.sla_state(ticket))
    return True


def save_ticket(run: Run) -> None:
    """Write everything the run changed on the ticket, in one UPDATE (gathered with the rest of a
    routing batch, helpdesk.unit_of_work)."""
    unit_of_work.update(run.ticket, [*TICKET_FIELDS, "updated_at"])


def _triage_record(run: Run) -> dict:
    """What triage said, with what routing made of it: the category's source, the model's suggestion,
    relationship risks, the business impact read in the text, and the language with its signals."""
    ticket, impact = run.ticket, run.impact
    return {
        **run.triage.as_record(),
        "fallback_used": run.triage.source != "model",
        "category_source": ticket.category_source or None,
        "category_suggestion": run.suggestion,
        "relationship_risks": run.risks,
        "impact": {
            "kinds": list(impact.kinds),
            "phrases": list(impact.phrases),
            "complexity": list(impact.complexity),
        }
        if impact
        else None,
        "language": {"code": ticket.language, **((ticket.metadata or {}).get("language") or {})},
    }


def record_decision(run: Run, choice: Choice) -> RoutingDecision | None:
    """Save the ticket, assign (or unassign), store the decision and tell the new owner.

    Returns None, writing nothing but the ticket, for a wait that looks exactly like the last one.
    """
    ticket = run.ticket
    unchanged_wait = _update_queue_state(run, choice)
    agent = choice.agent if choice.kind in ASSIGNING | {"kept"} else None
    assigns = choice.kind in ASSIGNING and agent is not None and agent.pk != ticket.assignee_id
    unassigns = agent is None and ticket.assignee_id is not None and choice.kind != "automation"
    overflow = choice.kind in ASSIGNING and _overflow_tier(run, choice)
    if unchanged_wait and run.trigger in QUIET_TRIGGERS:
        save_ticket(run)
        return None
    triage = _triage_record(run)
    track_gap(
        run, waiting=choice.kind == "waiting" or (choice.kind == "coordinator" and choice.agent is None)
    )
    decision = RoutingDecision(
        ticket=ticket,
        at=run.now,
        trigger=run.trigger,
        team=ticket.team,
        tier=ticket.tier,
        agent=agent,
        explanation=explanation(
            headline=choice.headline,
            score=run.score,
            rules_fired=run.outcome.fired,
            triage=run.triage,
            notes=run.notes,
        ),
        factors=[f.as_record() for f in run.score.factors],
        candidates=[a.record() for a in run.assessments],
        rules_fired=run.outcome.fired,
        triage=triage,
        model_version=run.triage.model_version,
    )

    def assign() -> None:  # the assignment event names the decision, so it waits for the decision's id
        # One UPDATE for the assignment and everything else the run changed on the ticket.
        do_ticket_assign(
            locked=ticket,
            agent=agent if assigns else None,
            actor=None,
            trigger=Trigger.ROUTING,
            reason=choice.headline,
            details={"routing_decision": decision.pk, "kind": choice.kind},
            also_save=TICKET_FIELDS,
        )

    record_changes(run, overflow=overflow)
    if assigns or unassigns:
        run.reads.assignment_changed(agent.pk if assigns else None, ticket.assignee_id)
        unit_of_work.insert(decision, then=assign)
    else:
        unit_of_work.insert(decision)
        save_ticket(run)
    if assigns:
        notify(
            recipients=[agent.user],
            kind="assignment" if choice.kind != "coordinator" else "routing.circular_blocked",
            title=f"{ticket.number} is yours: {ticket.subject}",
            body=choice.headline,
            ticket=ticket,
        )
    return decision
