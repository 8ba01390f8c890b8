"""Signal wiring: helpdesk announces changes, routing reacts in the background.

Receivers stay one line deep: they enqueue a task after commit, with ids, never instances.
"""

from __future__ import annotations

from django.db import transaction
from django.dispatch import receiver
from django_q.tasks import async_task

from escalation.sla_state import needs_sync as needs_sla_sync
from helpdesk.models import AgentStatus
from helpdesk.signals import agent_status_changed, ticket_event_recorded

# Which ticket events make the router run again, and the trigger it records.
ROUTING_TRIGGERS = {
    "ticket.created": "created",
    "escalation.functional": "escalated",
    "escalation.hierarchical": "escalated",
    "ticket.reopened": "reopened",
    "ticket.declined": "declined",
}


@receiver(ticket_event_recorded, dispatch_uid="escalation.route_on_event")
def route_on_event(sender, event, **kwargs) -> None:
    trigger = ROUTING_TRIGGERS.get(event.code)
    if trigger is not None:
        transaction.on_commit(lambda: async_task("escalation.tasks.route_ticket", event.ticket_id, trigger))


@receiver(agent_status_changed, dispatch_uid="escalation.route_on_agent_status")
def route_on_agent_status(sender, agent_id, old_status, new_status, **kwargs) -> None:
    task = (
        "escalation.tasks.offer_waiting_tickets"
        if new_status == AgentStatus.AVAILABLE
        else "escalation.tasks.reroute_agent_tickets"
    )
    transaction.on_commit(lambda: async_task(task, agent_id))


@receiver(ticket_event_recorded, dispatch_uid="escalation.sla_sync_on_event")
def sla_sync_on_event(sender, event, **kwargs) -> None:
    if needs_sla_sync(event.code):
        transaction.on_commit(lambda: async_task("escalation.tasks.sla_sync_event", event.pk))
