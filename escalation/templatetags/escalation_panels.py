"""Panels the escalation app adds to the agent's ticket page: "Why this agent?", the handoff summary and
an automation draft waiting for approval."""

from __future__ import annotations

from django import template

from escalation.autonomy.outcomes import pending_draft
from escalation.routing.handoff import handoff_for
from escalation.routing.scoring import score_of
from helpdesk.models import Ticket

register = template.Library()


@register.inclusion_tag("escalation/_routing_panel.html")
def routing_panel(ticket: Ticket) -> dict:
    decisions = list(
        ticket.routing_decisions.select_related("team", "tier", "agent__user").order_by("-at", "-id")[:6]
    )
    decision = decisions[0] if decisions else None
    factors = sorted(decision.factors, key=lambda f: -(f.get("contribution") or 0)) if decision else []
    # The factors are the routing run's; the SLA sweep and account health re-score the ticket since.
    routed_score = score_of(f.get("contribution") or 0 for f in factors) if factors else None
    rescored = routed_score is not None and round(routed_score) != round(ticket.priority_score or 0)
    return {
        "ticket": ticket,
        "decision": decision,
        "factors": factors,
        "routed_score": routed_score,
        "rescored": rescored,
        "earlier": decisions[1:],
    }


@register.inclusion_tag("escalation/_handoff_panel.html")
def handoff_panel(ticket: Ticket) -> dict:
    return {"ticket": ticket, "handoff": handoff_for(ticket)}


@register.inclusion_tag("escalation/_draft_panel.html", takes_context=True)
def draft_panel(context, ticket: Ticket) -> dict:
    """The review draft (if any) with its Approve / Discard form."""
    return {
        "ticket": ticket,
        "draft": pending_draft(ticket) if ticket.is_open else None,
        "csrf_token": context.get("csrf_token"),
    }
