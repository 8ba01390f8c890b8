"""What happens when an SLA trigger fires. The sweep calls `fire(step, ...)` with the ticket locked and
current; actions change that instance in place (the sweep goes on with it).

- warning: `sla.warning` event; the assignee (the team lead while unassigned) is notified.
- breach: `sla.breached` event, the ticket is marked breached, the team lead is notified, and the
  policy's action for that window runs.
- open age: `sla.open_age` event, the lead is notified, the policy's open-age action brings fresh eyes.
- abandoned: the ticket is flagged, `sla.abandoned` event (with team and category, for analytics), the
  lead is alerted, and it is routed again (away from an assignee who left it untouched).

Actions are data on the policy (`BreachAction`); each has a fallback when it cannot apply:
functional → hierarchical (no escalation team, or already there) → re-assign (no higher tier) → notify.
At most one action hands the ticket on per sweep visit; later triggers of the same visit only notify.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from escalation.models.sla import BreachAction, SlaPolicy
from escalation.sla.clock import Step, StepKind
from escalation.sla.policies import current_book
from helpdesk.background import enqueue
from helpdesk.events import event_record
from helpdesk.models import Agent, Role, Ticket, Trigger
from helpdesk.notifications import notify
from helpdesk.services import ticket_escalate
from helpdesk.services.tickets import do_ticket_assign

ROUTE_TASK = "escalation.tasks.sla_route_ticket"
ABANDONED_FLAG = "Untouched in the queue too long (SLA)"

FALLBACK = {
    BreachAction.FUNCTIONAL: BreachAction.HIERARCHICAL,
    BreachAction.HIERARCHICAL: BreachAction.REASSIGN,
    BreachAction.REASSIGN: BreachAction.NOTIFY,
}


def lead_users(ticket: Ticket) -> list[AbstractBaseUser]:
    """The ticket's team lead; every lead when the team has none (someone must hear about it)."""
    team = ticket.team if ticket.team_id else None
    if team is not None and team.lead_id:
        return [team.lead.user]
    return [agent.user for agent in Agent.objects.filter(role=Role.LEAD).select_related("user")]


# Marks an unassignment as "taken away": routing will not give the ticket straight back (escalation.routing.circular).
HAND_ON = {"hand_on": True}


def route_after_commit(ticket_id: int, *, trigger: str, exclude_agent_ids: tuple[int, ...] = ()) -> None:
    transaction.on_commit(lambda: enqueue(ROUTE_TASK, ticket_id, trigger, list(exclude_agent_ids)))


def _when(moment: dt.datetime) -> str:
    return moment.strftime("%b %d %H:%M UTC")


# --- actions: each returns (what happened, whether the ticket changed hands), or None when it
# cannot apply. Routing an unassigned ticket again changes no hands: nobody had it.

Outcome = tuple[str, bool]


def _escalate(ticket: Ticket, reason: str, kind: str, **target) -> None:
    """Escalate the sweep's locked, current ticket in place (no second lock and read)."""
    ticket_escalate(
        ticket=ticket, kind=kind, actor=None, reason=reason, trigger=Trigger.SLA, row_locked=True, **target
    )


def escalate_hierarchical(ticket: Ticket, policy: SlaPolicy, reason: str) -> Outcome | None:
    tier = current_book().tier_above(ticket.tier)  # the tiers are cached: no query per breach
    if tier is None:
        return None
    _escalate(ticket, reason, "hierarchical", tier=tier)
    return f"escalated to tier {tier.level}", True


def escalate_functional(ticket: Ticket, policy: SlaPolicy, reason: str) -> Outcome | None:
    team = policy.escalation_team
    if team is None or team.pk == ticket.team_id:
        return None
    _escalate(ticket, reason, "functional", team=team)
    return f"escalated to team {team.name}", True


def reassign_within_tier(ticket: Ticket, policy: SlaPolicy, reason: str) -> Outcome | None:
    previous = ticket.assignee_id
    if previous is not None:  # the ticket is locked, current and open: the write half is enough
        do_ticket_assign(
            locked=ticket, agent=None, actor=None, trigger=Trigger.SLA, reason=reason, details=HAND_ON
        )
    route_after_commit(ticket.pk, trigger="sla", exclude_agent_ids=(previous,) if previous else ())
    return ("re-assigned within the tier", True) if previous else ("routed again", False)


def notify_only(ticket: Ticket, policy: SlaPolicy, reason: str) -> Outcome | None:
    return "left with the team lead", False


ACTIONS: dict[str, Callable[[Ticket, SlaPolicy, str], Outcome | None]] = {
    BreachAction.HIERARCHICAL: escalate_hierarchical,
    BreachAction.FUNCTIONAL: escalate_functional,
    BreachAction.REASSIGN: reassign_within_tier,
    BreachAction.NOTIFY: notify_only,
}


def run_action(action: str, ticket: Ticket, policy: SlaPolicy, reason: str) -> Outcome:
    """Run the policy's action, falling back along FALLBACK."""
    current: str | None = action
    while current is not None:
        outcome = ACTIONS[current](ticket, policy, reason)
        if outcome is not None:
            return outcome
        current = FALLBACK.get(current)
    return "left with the team lead", False


# --- triggers --------------------------------------------------------------------------------


def _details(step: Step, policy: SlaPolicy) -> dict:
    return {"target": step.target, "due": step.due.isoformat(), "policy": policy.name}


def fire_warning(ticket: Ticket, step: Step, policy: SlaPolicy, *, may_hand_on: bool) -> tuple[str, bool]:
    reason = f"{step.target_label.capitalize()} due {_when(step.due)}."
    event_record(
        ticket=ticket,
        code="sla.warning",
        trigger=Trigger.SLA,
        reason=reason,
        to_value=step.target_label,
        to_agent=ticket.assignee,
        details=_details(step, policy),
    )
    recipients = [ticket.assignee.user] if ticket.assignee_id else lead_users(ticket)
    notify(
        recipients=recipients,
        kind="sla.warning",
        title=f"SLA warning: {step.target_label} on #{ticket.pk} due {_when(step.due)}",
        body=ticket.subject,
        ticket=ticket,
    )
    return "warned " + ", ".join(u.get_username() for u in recipients), False


def _alert_and_hand_on(
    ticket: Ticket,
    policy: SlaPolicy,
    *,
    code: str,
    title: str,
    reason: str,
    action: str,
    may_hand_on: bool,
    **event_columns,
) -> tuple[str, bool]:
    """Record the SLA event, alert the team lead, then run the policy's action (once per visit)."""
    event_record(
        ticket=ticket,
        code=code,
        trigger=Trigger.SLA,
        reason=reason,
        from_agent=ticket.assignee,
        **event_columns,
    )
    notify(
        recipients=lead_users(ticket),
        kind=code,
        title=title,
        body=f"{ticket.subject}\n{reason}",
        ticket=ticket,
    )
    if not may_hand_on:
        return "lead notified (already handed on in this pass)", False
    return run_action(action, ticket, policy, reason)


def fire_breach(ticket: Ticket, step: Step, policy: SlaPolicy, *, may_hand_on: bool) -> tuple[str, bool]:
    """Marks the ticket breached on the instance; the sweep writes it with the batch."""
    ticket.sla_breached = True
    return _alert_and_hand_on(
        ticket,
        policy,
        code="sla.breached",
        title=f"SLA breached: {step.target_label} on #{ticket.pk}",
        reason=f"SLA {step.target_label} breached (was due {_when(step.due)}, policy {policy.name}).",
        action=step.action,
        may_hand_on=may_hand_on,
        to_value=step.target_label,
        details={**_details(step, policy), "action": step.action},
    )


def fire_open_age(ticket: Ticket, step: Step, policy: SlaPolicy, *, may_hand_on: bool) -> tuple[str, bool]:
    return _alert_and_hand_on(
        ticket,
        policy,
        code="sla.open_age",
        title=f"Open too long: #{ticket.pk}",
        reason=f"Open for more than {policy.open_age_hours} hours without resolution: fresh eyes.",
        action=step.action,
        may_hand_on=may_hand_on,
        details={"hours": policy.open_age_hours, "policy": policy.name, "action": step.action},
    )


def fire_abandoned(ticket: Ticket, step: Step, policy: SlaPolicy, *, may_hand_on: bool) -> tuple[str, bool]:
    """Flag it and route it again; the event carries team and category so analytics can count them."""
    unassigned = ticket.assignee_id is None
    Ticket.objects.filter(pk=ticket.pk).update(is_flagged=True, flag_reason=ABANDONED_FLAG)
    ticket.is_flagged, ticket.flag_reason = True, ABANDONED_FLAG
    hours = policy.abandoned_hours
    outcome, handed_on = _alert_and_hand_on(
        ticket,
        policy,
        code="sla.abandoned",
        title=f"Abandoned: #{ticket.pk} {'unassigned' if unassigned else 'untouched'} for {hours}h",
        reason=f"Unassigned for {hours} hours." if unassigned else f"Nobody touched it for {hours} hours.",
        action=BreachAction.REASSIGN,
        may_hand_on=may_hand_on,
        from_team=ticket.team,
        to_team=ticket.team,
        details={
            "hours": hours,
            "unassigned": unassigned,
            "team_id": ticket.team_id,
            "category_id": ticket.category_id,
        },
    )
    return f"flagged, {outcome}", handed_on


FIRE: dict[str, Callable[..., tuple[str, bool]]] = {
    StepKind.WARNING: fire_warning,
    StepKind.BREACH: fire_breach,
    StepKind.OPEN_AGE: fire_open_age,
    StepKind.ABANDONED: fire_abandoned,
}


def fire(step: Step, ticket: Ticket, policy: SlaPolicy, *, may_hand_on: bool) -> tuple[str, bool]:
    """Fire one trigger on the locked ticket. Returns (what happened, whether the ticket was handed on)."""
    return FIRE[step.kind](ticket, step, policy, may_hand_on=may_hand_on)
