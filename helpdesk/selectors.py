"""Reads that span relations, with the joins they need applied (constant query counts)."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Case, F, Prefetch, QuerySet, When
from django.db.models.expressions import Expression
from django.db.models.functions import Coalesce, Least
from django.http import Http404

from helpdesk.models import (
    OPEN_STATUSES,
    Agent,
    Attachment,
    AuthorKind,
    Message,
    Notification,
    Ticket,
    TicketEvent,
    TicketLink,
)
from helpdesk.permissions import (
    agent_of,
    agent_team_ids,
    agent_ticket_filter,
    can_view_ticket,
    can_work_ticket,
    is_staff_account,
)
from helpdesk.services.search import search_terms, tickets_search

QUEUE_RELATIONS = ("team", "tier", "assignee__user", "organization", "category", "customer")

QUEUES = {
    "mine": "Mine",
    "team": "My teams",
    "unassigned": "Unassigned",
    "all": "All",
}

SORTS = {
    "relevance": "Best match (search)",
    "priority": "Priority score",
    "sla": "SLA due",
    "newest": "Newest",
    "oldest": "Oldest",
}


@dataclass(frozen=True)
class QueueFilters:
    status: str = ""
    priority: str = ""
    tier: int | None = None
    team: int | None = None
    open_only: bool = True
    tag: str = ""
    search: str = ""


def tickets_visible_to(user: AbstractBaseUser) -> QuerySet[Ticket]:
    """Customers: their own tickets. Agents: their teams' and their own. Leads, admins, staff: everything."""
    if is_staff_account(user):
        return Ticket.objects.all()
    agent = agent_of(user)
    if agent is not None:
        return Ticket.objects.filter(agent_ticket_filter(agent))
    if user.is_authenticated:
        return Ticket.objects.filter(customer_id=user.pk)
    return Ticket.objects.none()


def ticket_for(user: AbstractBaseUser, pk: int) -> Ticket:
    """The ticket if this user may see it; 404 otherwise (never reveal that it exists)."""
    try:
        return tickets_visible_to(user).select_related(*QUEUE_RELATIONS).get(pk=pk)
    except Ticket.DoesNotExist as exc:
        raise Http404("No such ticket.") from exc


def earliest(*fields: str | Expression) -> Least:
    """The smallest non-null of several columns, on every database.

    PostgreSQL's LEAST skips NULLs but SQLite's returns NULL if any argument is NULL, so each argument
    falls back to the others.
    """
    return Least(*(Coalesce(name, *[other for other in fields if other != name]) for name in fields))


def with_sla_due(queryset: QuerySet[Ticket]) -> QuerySet[Ticket]:
    """Annotate the earliest running SLA deadline, so queues can sort on it in the database.

    A met first response no longer counts; a paused or stopped clock (pending, on hold, done) has none.
    """
    first_response = Case(When(first_response_at__isnull=True, then=F("first_response_due")))
    running = earliest(first_response, "next_reply_due", "resolution_due")
    return queryset.annotate(
        sla_due_at=Case(When(sla_paused_at__isnull=True, status__in=OPEN_STATUSES, then=running))
    )


def agent_queue(*, agent: Agent, queue: str, filters: QueueFilters, sort: str) -> QuerySet[Ticket]:
    """One of the agent's queues, filtered and sorted, with every column the list shows joined in."""
    tickets = Ticket.objects.filter(agent_ticket_filter(agent)).select_related(*QUEUE_RELATIONS)
    if queue == "mine":
        tickets = tickets.filter(assignee=agent)
    elif queue == "team":
        tickets = tickets.filter(team__in=agent.teams.all())
    elif queue == "unassigned":
        tickets = tickets.filter(assignee__isnull=True)
    if filters.status:
        tickets = tickets.filter(status=filters.status)
    elif filters.open_only:
        tickets = tickets.filter(status__in=OPEN_STATUSES)
    if filters.priority:
        tickets = tickets.filter(priority=filters.priority)
    if filters.tier is not None:
        tickets = tickets.filter(tier__level=filters.tier)
    if filters.team is not None:
        tickets = tickets.filter(team_id=filters.team)
    if filters.tag:
        tickets = tickets.filter(tags__name=filters.tag)
    terms = search_terms(filters.search)
    if terms is not None:
        tickets = tickets_search(tickets, terms=terms, include_internal=True)
    elif sort == "relevance":
        sort = "priority"
    tickets = with_sla_due(tickets)
    order = {
        "relevance": [F("search_rank").desc(), "-created_at"],
        "priority": [F("priority_score").desc(nulls_last=True), "created_at"],
        "sla": [F("sla_due_at").asc(nulls_last=True), F("priority_score").desc(nulls_last=True)],
        "newest": ["-created_at"],
        "oldest": ["created_at"],
    }[sort if sort in SORTS else "priority"]
    return tickets.order_by(*order, "pk")


def ticket_in_queue(ticket: Ticket, *, agent: Agent, queue: str, filters: QueueFilters) -> bool:
    """Would `agent_queue` list this loaded ticket? Its in-memory twin, for live updates to open queues.

    Needs `ticket.tier` loaded when filtering by tier. tests/helpdesk/live/test_relay.py keeps
    the two in step.
    """
    team_ids = agent_team_ids(agent)
    if not (agent.sees_all_tickets or ticket.team_id in team_ids or ticket.assignee_id == agent.pk):
        return False
    if queue == "mine" and ticket.assignee_id != agent.pk:
        return False
    if queue == "team" and ticket.team_id not in team_ids:
        return False
    if queue == "unassigned" and ticket.assignee_id is not None:
        return False
    if filters.status:
        if ticket.status != filters.status:
            return False
    elif filters.open_only and ticket.status not in OPEN_STATUSES:
        return False
    if filters.priority and ticket.priority != filters.priority:
        return False
    if filters.tier is not None and (ticket.tier is None or ticket.tier.level != filters.tier):
        return False
    return filters.team is None or ticket.team_id == filters.team


def ticket_conversation(ticket: Ticket, *, include_internal: bool) -> QuerySet[Message]:
    messages = ticket.messages.select_related("author").prefetch_related("attachments")
    if not include_internal:
        messages = messages.filter(is_internal=False)
    return messages


def last_public_agent_reply(ticket: Ticket) -> Message | None:
    """The agent's latest public answer on the ticket: the usual starting point of an article."""
    return (
        Message.objects.filter(ticket_id=ticket.pk, author_kind=AuthorKind.AGENT, is_internal=False)
        .order_by("-created_at", "-id")
        .first()
    )


def ticket_events(ticket: Ticket) -> QuerySet[TicketEvent]:
    return ticket.events.select_related(
        "actor", "from_team", "to_team", "from_tier", "to_tier", "from_agent__user", "to_agent__user"
    )


def customer_recent_tickets(ticket: Ticket, *, limit: int = 8) -> QuerySet[Ticket]:
    """The same customer's other recent tickets, with their outcome, for the context panel."""
    return (
        Ticket.objects.filter(customer_id=ticket.customer_id)
        .exclude(pk=ticket.pk)
        .select_related("team", "category", "csat")
        .order_by("-created_at")[:limit]
    )


def unread_notifications(user: AbstractBaseUser) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user, read_at__isnull=True)


def agents_for_assignment(ticket: Ticket) -> QuerySet[Agent]:
    """Agents who could take this ticket by hand: its team's members (everyone when it has no team)."""
    agents = Agent.objects.select_related("user", "tier").order_by("tier__level", "user__username")
    if ticket.team_id:
        agents = agents.filter(teams=ticket.team_id)
    return agents.prefetch_related(Prefetch("teams"))


def attachment_for(user: AbstractBaseUser, pk: int) -> Attachment:
    """The attachment if this user may open it; 404 otherwise (never reveal that it exists).

    The ticket's people may open its files; an internal note's files only the agents who work it."""
    attachment = Attachment.objects.select_related("ticket", "message").filter(pk=pk).first()
    if attachment is None or not can_view_ticket(user, attachment.ticket):
        raise Http404("No such file.")
    message = attachment.message
    if message is not None and message.is_internal and not can_work_ticket(user, attachment.ticket):
        raise Http404("No such file.")
    return attachment


def ticket_links(ticket: Ticket) -> list[dict]:
    """The ticket's links both ways, as the page and the API show them: {id, kind, label, ticket, subject}."""
    rows = []
    for link in TicketLink.objects.filter(source=ticket).select_related("target"):
        rows.append(
            {
                "id": link.pk,
                "kind": link.kind,
                "label": link.get_kind_display(),
                "ticket": link.target_id,
                "subject": link.target.subject,
                "status": link.target.status,
            }
        )
    inverse = {"related": "Related to", "duplicate": "Has duplicate", "caused_by": "Caused"}
    for link in TicketLink.objects.filter(target=ticket).select_related("source"):
        rows.append(
            {
                "id": link.pk,
                "kind": link.kind,
                "label": inverse[link.kind],
                "ticket": link.source_id,
                "subject": link.source.subject,
                "status": link.source.status,
            }
        )
    return rows
