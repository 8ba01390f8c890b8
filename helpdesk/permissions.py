"""Who may see and work which ticket. One place, used by views, the API and the live consumer."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Q

from helpdesk.models import Agent, Ticket


def agent_of(user: AbstractBaseUser | AnonymousUser) -> Agent | None:
    """The user's agent profile, or None for customers and anonymous users."""
    if not user.is_authenticated:
        return None
    return getattr(user, "agent", None)


def is_agent(user: AbstractBaseUser | AnonymousUser) -> bool:
    return agent_of(user) is not None


def agent_team_ids(agent: Agent) -> frozenset[int]:
    """The agent's team ids, read once per agent instance."""
    cached = getattr(agent, "_team_ids", None)
    if cached is None:
        cached = frozenset(agent.teams.values_list("pk", flat=True))
        agent._team_ids = cached
    return cached


def agent_ticket_filter(agent: Agent) -> Q:
    """Tickets an agent may see: every ticket for leads/admins; their teams' and their own for agents."""
    if agent.sees_all_tickets:
        return Q()
    return Q(team_id__in=agent_team_ids(agent)) | Q(assignee_id=agent.pk)


def is_staff_account(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Django staff (admins, integration accounts) see and work every ticket, with or without an agent profile."""
    return bool(user.is_authenticated and (user.is_staff or user.is_superuser))


def can_view_ticket(user: AbstractBaseUser | AnonymousUser, ticket: Ticket) -> bool:
    if not user.is_authenticated:
        return False
    if ticket.customer_id == user.pk:
        return True
    return can_work_ticket(user, ticket)


def can_work_ticket(user: AbstractBaseUser | AnonymousUser, ticket: Ticket) -> bool:
    """Agents act on tickets they can see; customers never act as agents."""
    if is_staff_account(user):
        return True
    agent = agent_of(user)
    if agent is None:
        return False
    return agent.sees_all_tickets or ticket.team_id in agent_team_ids(agent) or ticket.assignee_id == agent.pk


def is_below_ticket_tier(user: AbstractBaseUser | AnonymousUser | None, ticket: Ticket) -> bool:
    """An agent whose tier is below the ticket's: once a ticket has been escalated to tier 3, a tier-1
    agent of the team may still read it and add notes, but not take it back, resolve it or change its
    status. Leads, admins and staff accounts act at every tier; customers are not agents."""
    if user is None or is_staff_account(user) or ticket.tier_id is None:
        return False
    agent = agent_of(user)
    if agent is None or agent.sees_all_tickets:
        return False
    return agent.tier.level < ticket.tier.level
