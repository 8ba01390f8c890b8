"""Signal wiring: helpdesk announces changes, routing reacts in the background.

Receivers stay one line deep: they enqueue a task after commit, with ids, never instances.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from escalation.autonomy.outcomes import wants as automation_wants
from escalation.models import (
    EscalationRule,
    PriorityThreshold,
    RoutingConfig,
    ScoringFactor,
    TriageModelVersion,
)
from escalation.models.autonomy import AutonomyDefaults
from escalation.models.sla import BusinessCalendar, ClosedDay, SlaPolicy, WorkingPeriod
from escalation.relationship.guardrails import forget_guardrails
from escalation.routing.policy import forget_policy
from escalation.routing.roster import forget_rosters
from escalation.sla.policies import forget_book
from escalation.sla.state import needs_sync as needs_sla_sync
from escalation.triage.keywords import forget_categories
from escalation.triage.versions import forget_active_version
from helpdesk.background import enqueue, enqueue_each
from helpdesk.models import Agent, AgentLeave, AgentSkill, AgentStatus, Category, Skill, Team, Tier
from helpdesk.signals import agent_status_changed, ticket_event_recorded, ticket_received

# Which ticket events make the router run again, and the trigger it records (new tickets: route_new).
ROUTING_TRIGGERS = {
    "escalation.functional": "escalated",
    "escalation.hierarchical": "escalated",
    "ticket.reopened": "reopened",
    "ticket.declined": "declined",
}

# Events that free a slot of the agent in the named column: that agent is offered the best waiting ticket.
FREEING_EVENTS = {
    "ticket.resolved": "to_agent_id",
    "escalation.functional": "from_agent_id",
    "escalation.hierarchical": "from_agent_id",
    "ticket.declined": "from_agent_id",
    "ticket.unassigned": "from_agent_id",
    "ticket.assigned": "from_agent_id",
}

# Ticket events that change what an account's health is computed from. New tickets alone are left to the
# hourly pass: intake hands each new ticket to the worker in one message, and routing alone.
ACCOUNT_HEALTH_EVENTS = frozenset(
    {
        "escalation.functional",
        "escalation.hierarchical",
        "sla.breached",
        "csat.rated",
        "message.customer",
        "ticket.reopened",
    }
)
ACCOUNT_HEALTH_TASK = "escalation.accounts.tasks.account_health_after_ticket"

# What the router does when an agent's status changes. Away is the SLA sweep's call, after a grace period.
STATUS_TASKS = {
    AgentStatus.AVAILABLE: "escalation.tasks.offer_waiting_tickets",
    AgentStatus.OFFLINE: "escalation.tasks.reroute_agent_tickets",
}


@receiver(ticket_received, dispatch_uid="escalation.route_new")
def route_new(sender, ticket_id, **kwargs) -> None:
    transaction.on_commit(lambda: enqueue("escalation.tasks.route_ticket", ticket_id, "created"))


@receiver(ticket_event_recorded, dispatch_uid="escalation.account_health_on_event")
def account_health_on_event(sender, event, **kwargs) -> None:
    if event.code in ACCOUNT_HEALTH_EVENTS:
        transaction.on_commit(lambda: enqueue(ACCOUNT_HEALTH_TASK, event.ticket_id))


@receiver(ticket_event_recorded, dispatch_uid="escalation.route_on_event")
def route_on_event(sender, event, **kwargs) -> None:
    trigger = ROUTING_TRIGGERS.get(event.code)
    if trigger is not None and not event.details.get("by_routing"):  # routing's own moves are routed already
        transaction.on_commit(lambda: enqueue("escalation.tasks.route_ticket", event.ticket_id, trigger))


@receiver(ticket_event_recorded, dispatch_uid="escalation.offer_freed_capacity")
def offer_freed_capacity(sender, event, **kwargs) -> None:
    agent_id = getattr(event, FREEING_EVENTS.get(event.code, ""), None)
    if agent_id:
        transaction.on_commit(lambda: enqueue("escalation.tasks.offer_waiting_tickets", agent_id))


@receiver(ticket_event_recorded, dispatch_uid="escalation.follow_automation")
def follow_automation(sender, event, **kwargs) -> None:
    """Outcomes of automatic answers (connected before the reassessment: a reply to one settles it first)."""
    if automation_wants(event):
        transaction.on_commit(lambda: enqueue("escalation.tasks.automation_event", event.pk))


@receiver(ticket_event_recorded, dispatch_uid="escalation.score_customer_message")
def score_customer_message(sender, event, **kwargs) -> None:
    message_id = event.details.get("message_id") if event.code == "message.customer" else None
    if message_id:
        transaction.on_commit(lambda: enqueue("escalation.tasks.score_message", message_id))


@receiver(ticket_event_recorded, dispatch_uid="escalation.reassess_on_customer_message")
def reassess_on_customer_message(sender, event, **kwargs) -> None:
    if event.code == "message.customer":
        transaction.on_commit(lambda: enqueue("escalation.tasks.reassess_ticket", event.ticket_id))


@receiver(agent_status_changed, dispatch_uid="escalation.route_on_agent_status")
def route_on_agent_status(sender, agent_id, old_status, new_status, **kwargs) -> None:
    task = STATUS_TASKS.get(new_status)
    if task is not None:
        transaction.on_commit(lambda: enqueue(task, agent_id))


@receiver(ticket_event_recorded, dispatch_uid="escalation.sla_sync_on_event")
def sla_sync_on_event(sender, event, **kwargs) -> None:
    if needs_sla_sync(event.code, event.ticket_id):  # one sync per ticket for all the events of a commit
        transaction.on_commit(lambda: enqueue_each("escalation.tasks.sla_sync_events", event.pk))


def _forget_on_change(forget, *models) -> None:
    """Drop a per-process cache when this process saves or deletes a row it is built from."""
    for model in models:
        for signal in (post_save, post_delete):
            signal.connect(forget, sender=model, dispatch_uid=f"escalation.{forget.__name__}")


_forget_on_change(
    forget_policy,
    EscalationRule,
    ScoringFactor,
    PriorityThreshold,
    RoutingConfig,
    Team,
    Skill,
    Tier,
    Category,
)
_forget_on_change(forget_rosters, Agent, AgentSkill, AgentLeave)
_forget_on_change(forget_book, SlaPolicy, BusinessCalendar, WorkingPeriod, ClosedDay, Tier)
_forget_on_change(forget_categories, Category, Team)
_forget_on_change(forget_active_version, TriageModelVersion)
_forget_on_change(forget_guardrails, AutonomyDefaults)
m2m_changed.connect(
    forget_rosters, sender=Agent.teams.through, dispatch_uid="escalation.forget_rosters.teams"
)
m2m_changed.connect(
    forget_policy, sender=Category.required_skills.through, dispatch_uid="escalation.forget_policy.skills"
)
