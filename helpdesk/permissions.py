"""Who may see and work which ticket. One place, used by views, the API and the live consumer."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Exists, OuterRef, Q

from helpdesk.models import Agent, Customer, Ticket, TicketCc


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


def customer_of(user: AbstractBaseUser | AnonymousUser) -> Customer | None:
    """The user's customer profile, or None for staff and anonymous users."""
    if not user.is_authenticated:
        return None
    return getattr(user, "customer", None)


def shared_organization_id(user: AbstractBaseUser | AnonymousUser) -> int | None:
    """The organization whose tickets this customer sees besides their own: set only for an admin
    customer of an organization that shares its tickets (a B2B account's shared inbox)."""
    customer = customer_of(user)
    if customer is None or not customer.is_admin:
        return None
    return customer.organization_id if customer.organization.shared_inbox else None


def customer_ticket_filter(user: AbstractBaseUser) -> Q:
    """Tickets a customer may see: their own, those they are copied on, and — for an admin of an
    organization that shares its tickets — that organization's, never another organization's."""
    visible = Q(customer_id=user.pk)
    if user.email:  # copied on it (by a colleague in the portal, or on an e-mail)
        visible |= Q(Exists(TicketCc.objects.filter(ticket_id=OuterRef("pk"), email__iexact=user.email)))
    organization_id = shared_organization_id(user)
    if organization_id is not None:
        visible |= Q(organization_id=organization_id)
    return visible


def can_view_ticket(user: AbstractBaseUser | AnonymousUser, ticket: Ticket) -> bool:
    if not user.is_authenticated:
        return False
    if ticket.customer_id == user.pk:
        return True
    if can_work_ticket(user, ticket):
        return True
    if agent_of(user) is not None or customer_of(user) is None:  # agents see by team, never as customers
        return False
    organization_id = shared_organization_id(user)
    if organization_id is not None and ticket.organization_id == organization_id:
        return True
    return (
        bool(user.email) and TicketCc.objects.filter(ticket_id=ticket.pk, email__iexact=user.email).exists()
    )


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
