"""Routing: which team, tier and agent get a ticket.

First version (foundation), step by step:
1. Triage (keywords) fills a missing team; the tier defaults to tier 1.
2. The priority score is computed (escalation.scoring) and SLA due times set (escalation.sla).
3. Candidates: available members of the ticket's team in its tier, excluding any declined agents.
4. The least-loaded candidate under capacity gets the ticket, claimed under a row lock on the agent so
   two workers never push an agent over capacity.
Every run is stored as a RoutingDecision with its candidates and a plain-language explanation.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from escalation.models import RoutingDecision
from escalation.scoring import score_ticket
from escalation.sla import SLA_FIELDS, sla_apply
from escalation.triage import triage_ticket
from helpdesk.models import OPEN_STATUSES, Agent, AgentStatus, Ticket, Tier, Trigger
from helpdesk.services import ticket_assign


def open_load(agent_ids: list[int]) -> dict[int, int]:
    """Open tickets per agent, in one query."""
    rows = (
        Agent.objects.filter(pk__in=agent_ids)
        .annotate(load=Count("assigned_tickets", filter=Q(assigned_tickets__status__in=OPEN_STATUSES)))
        .values_list("pk", "load")
    )
    return dict(rows)


def route(ticket_id: int, *, trigger: str, exclude_agent_ids: tuple[int, ...] = ()) -> RoutingDecision | None:
    """Route one waiting ticket. Returns None when there is nothing to do (gone, closed or already assigned)."""
    now = timezone.now()
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().filter(pk=ticket_id).first()
        if ticket is None or not ticket.is_open or ticket.assignee_id is not None:
            return None
        triage = triage_ticket(ticket)
        if ticket.team_id is None and triage.team is not None:
            ticket.team = triage.team
        ticket.tier = ticket.tier or Tier.objects.order_by("level").first()
        score = score_ticket(ticket, now=now)
        ticket.priority_score = score.value
        sla_apply(ticket, now=now)
        ticket.save(update_fields=["team", "tier", "priority_score", *SLA_FIELDS, "updated_at"])

        agents = []
        if ticket.team_id and ticket.tier_id:
            agents = list(
                Agent.objects.filter(status=AgentStatus.AVAILABLE, tier=ticket.tier, teams=ticket.team)
                .exclude(pk__in=exclude_agent_ids)
                .select_related("user")
            )
        loads = open_load([a.pk for a in agents])
        candidates = [
            {
                "agent": a.user.username,
                "score": round(1 - loads.get(a.pk, 0) / max(a.capacity, 1), 3),
                "excluded_reason": "at capacity" if loads.get(a.pk, 0) >= a.capacity else "",
            }
            for a in agents
        ]
        fit = sorted(
            (a for a in agents if loads.get(a.pk, 0) < a.capacity),
            key=lambda a: loads.get(a.pk, 0) / max(a.capacity, 1),
        )
        chosen = None
        for agent in fit:
            locked = Agent.objects.select_for_update().get(pk=agent.pk)
            if open_load([locked.pk]).get(locked.pk, 0) < locked.capacity:
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
            f"Assigned to {chosen} in {ticket.team} (tier {ticket.tier.level}): the least-loaded available agent."
            if chosen
            else "Waiting in the queue: no available agent with room in this team and tier."
        )
        return RoutingDecision.objects.create(
            ticket=ticket,
            trigger=trigger,
            team=ticket.team,
            tier=ticket.tier,
            agent=chosen,
            explanation=explanation,
            factors=[f.as_record() for f in score.factors],
            candidates=candidates,
            triage=triage.as_record(),
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
    return sum(1 for pk in list(waiting) if (d := route(pk, trigger="agent_available")) and d.agent_id)


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
