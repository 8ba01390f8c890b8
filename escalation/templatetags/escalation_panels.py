"""Panels the escalation app adds to the agent's ticket page ("Why this agent?")."""

from __future__ import annotations

from django import template

from helpdesk.models import Ticket

register = template.Library()


@register.inclusion_tag("escalation/_routing_panel.html")
def routing_panel(ticket: Ticket) -> dict:
    decision = (
        ticket.routing_decisions.select_related("team", "tier", "agent__user").order_by("-at", "-id").first()
    )
    return {"ticket": ticket, "decision": decision}
