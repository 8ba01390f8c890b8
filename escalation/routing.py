"""Routing: which team, tier and agent get a ticket.

First version (foundation): team from triage, tier 1 unless already set, and the least-loaded
available member of that team and tier who is under capacity. Claimed under a row lock on the agent,
so two workers never push an agent over capacity.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Count, Q

from escalation.models import RoutingDecision
from helpdesk.models import OPEN_STATUSES, Agent, AgentStatus, Ticket, Tier, Trigger
from helpdesk.services import ticket_assign


def _open_load(agent_ids: list[int]) -> dict[int, int]:
    rows = (
        Agent.objects.filter(pk__in=agent_ids)
        .annotate(load=Count("assigned_tickets", filter=Q(assigned_tickets__status__in=OPEN_STATUSES)))
        .values_list("pk", "load")
    )
    return dict(rows)


def route(ticket_id: int, *, trigger: str, exclude_agent_ids: tuple[int, ...] = ()) -> RoutingDecision | None:
    with transaction.atomic():
        ticket = (
            Ticket.objects.select_for_update().filter(pk=ticket_id).select_related("team", "tier").first()
        )
        if ticket is None or not ticket.is_open or ticket.assignee_id is not None:
            return None
        tier = ticket.tier or Tier.objects.order_by("level").first()
        if ticket.tier_id is None and tier is not None:
            Ticket.objects.filter(pk=ticket.pk).update(tier=tier)
            ticket.tier = tier
        agents = (
            list(
                Agent.objects.filter(status=AgentStatus.AVAILABLE, tier=tier, teams=ticket.team)
                .exclude(pk__in=exclude_agent_ids)
                .select_related("user")
            )
            if ticket.team_id
            else []
        )
        loads = _open_load([a.pk for a in agents])
        candidates = []
        for agent in agents:
            load = loads.get(agent.pk, 0)
            excluded = "at capacity" if load >= agent.capacity else ""
            candidates.append(
                {
                    "agent": agent.user.username,
                    "score": round(1 - load / max(agent.capacity, 1), 3),
                    "excluded_reason": excluded,
                }
            )
        fit = sorted(
            (a for a in agents if loads.get(a.pk, 0) < a.capacity),
            key=lambda a: loads.get(a.pk, 0) / max(a.capacity, 1),
        )
        chosen = None
        for agent in fit:
            locked = Agent.objects.select_for_update().get(pk=agent.pk)
            if _open_load([locked.pk]).get(locked.pk, 0) < locked.capacity:
                chosen = locked
                break
        if chosen is not None:
            ticket = ticket_assign(
                ticket=ticket,
                agent=chosen,
                actor=None,
                trigger=Trigger.ROUTING,
                reason="Least-loaded available agent.",
            )
        explanation = (
            f"Assigned to {chosen} in {ticket.team} (tier {tier.level if tier else '?'}): the least-loaded available agent."
            if chosen
            else "Waiting in the queue: no available agent with room in this team and tier."
        )
        return RoutingDecision.objects.create(
            ticket=ticket,
            trigger=trigger,
            team=ticket.team,
            tier=tier,
            agent=chosen,
            explanation=explanation,
            candidates=candidates,
        )


def offer_waiting_tickets(agent_id: int) -> int:
    """Give a newly available agent the best waiting tickets of their teams and tier."""
    agent = Agent.objects.filter(pk=agent_id).first()
    if agent is None:
        return 0
    waiting = (
        Ticket.objects.filter(
            status__in=OPEN_STATUSES, assignee__isnull=True, tier=agent.tier, team__in=agent.teams.all()
        )
        .order_by("-priority_score", "created_at")
        .values_list("pk", flat=True)[: agent.capacity]
    )
    return sum(1 for pk in waiting if (d := route(pk, trigger="agent_available")) and d.agent_id)


def reroute_agent_tickets(agent_id: int) -> int:
    """Hand on the open tickets of an agent who went away or offline."""
    count = 0
    for ticket in Ticket.objects.filter(assignee_id=agent_id, status__in=OPEN_STATUSES):
        ticket_assign(
            ticket=ticket,
            agent=None,
            actor=None,
            trigger=Trigger.ROUTING,
            reason="The agent is no longer available.",
        )
        route(ticket.pk, trigger="agent_unavailable", exclude_agent_ids=(agent_id,))
        count += 1
    return count
