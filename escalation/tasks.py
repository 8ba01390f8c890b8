"""Background tasks (django-q2). They take ids, load rows themselves, and are safe to run twice."""

from __future__ import annotations

from escalation import routing


def route_ticket(ticket_id: int, trigger: str = "created") -> int | None:
    decision = routing.route(ticket_id, trigger=trigger)
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
