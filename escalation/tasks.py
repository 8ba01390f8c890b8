"""Background tasks (django-q2). They take ids, load rows themselves, and are safe to run twice."""

from __future__ import annotations

from escalation.autonomy import outcomes as autonomy_outcomes
from escalation.routing import batch
from escalation.routing import engine as routing
from escalation.sla import state as sla_state
from escalation.sla import sweep
from escalation.triage.retrain import scheduled_retrain
from escalation.triage.sentiment import message_mood
from helpdesk.models import Message


def route_ticket(ticket_id: int, trigger: str = "created") -> int | None:
    if trigger == "created":
        decision = batch.route_new_ticket(ticket_id)  # with other new tickets waiting, if any
    else:
        decision = routing.route([ticket_id], trigger).get(ticket_id)
    return decision.pk if decision else None


def offer_waiting_tickets(agent_id: int) -> int:
    return routing.offer_waiting_tickets(agent_id)


def reroute_agent_tickets(agent_id: int) -> int:
    return routing.reroute_agent_tickets(agent_id)


def reassess_ticket(ticket_id: int) -> int | None:
    decision = routing.reassess_after_message(ticket_id)
    return decision.pk if decision else None


def recheck_waiting_tickets() -> int:
    return routing.recheck_waiting_tickets()


# --- SLA -------------------------------------------------------------------------------------


def sweep_sla() -> str:
    """The scheduled pass (every minute, see migration 0003): the same code as `manage.py sweep_sla`."""
    return sweep.sweep_sla().summary()


def sla_sync_events(event_ids: list[int]) -> int:
    """Bring the SLA state of these events' tickets up to date, once per ticket."""
    return sla_state.sla_sync_events(event_ids)


def sla_sync_event(event_id: int) -> bool:
    """One event's sync (tasks queued before syncs were merged per ticket)."""
    return sla_state.sla_sync_events([event_id]) == 1


def sla_route_ticket(
    ticket_id: int, trigger: str = "sla", exclude_agent_ids: list[int] | None = None
) -> int | None:
    """Route a ticket the SLA sweep took from an agent, without giving it straight back to them."""
    excluded = tuple(exclude_agent_ids or ())
    decision = routing.route([ticket_id], trigger, exclude_agent_ids=excluded).get(ticket_id)
    return decision.pk if decision else None


# --- sentiment and autonomy --------------------------------------------------------------------


def score_message(message_id: int) -> bool:
    """Store the sentiment and frustration of a customer's message (the ticket's own come from triage)."""
    message = Message.objects.select_related("ticket").filter(pk=message_id).first()
    if message is None:
        return False
    felt = message_mood(message)
    Message.objects.filter(pk=message_id).update(sentiment=felt.sentiment, frustration=felt.frustration)
    return True


def automation_event(event_id: int) -> None:
    autonomy_outcomes.on_event(event_id)


def follow_up_check(ticket_id: int) -> None:
    autonomy_outcomes.follow_up_check(ticket_id)


def settle_automations() -> int:
    """Scheduled (every 15 minutes, see migration 0006): automatic answers nobody replied to."""
    return autonomy_outcomes.settle_expired()


# --- triage model ----------------------------------------------------------------------------


def train_router() -> str:
    """Weekly: retrain the triage models on resolved tickets and activate the new version."""
    return scheduled_retrain()
