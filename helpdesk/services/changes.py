"""One change of a ticket's working fields (status, priority, assignee, tags), as the API's PATCH and
the bulk actions make it: each part through its own service, all in one transaction."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from helpdesk.models import OPEN_STATUSES, Agent, Priority, Status, Ticket
from helpdesk.permissions import can_work_ticket
from helpdesk.services import errors
from helpdesk.services.tags import ticket_set_tags
from helpdesk.services.tickets import (
    ticket_assign,
    ticket_reopen,
    ticket_resolve,
    ticket_set_priority,
    ticket_set_status,
)

UNSET = object()
ERR_NO_SUCH_AGENT = "There is no agent called {name!r}."
ERR_AT_CAPACITY = "{agent} already has {load} open tickets (capacity {capacity})."


def agent_by_username(username: str) -> Agent:
    agent = Agent.objects.select_related("user", "tier").filter(user__username=username).first()
    if agent is None:
        raise ValidationError({"assignee": [ERR_NO_SUCH_AGENT.format(name=username[:150])]})
    return agent


def agent_open_load(agent: Agent) -> int:
    return Ticket.objects.filter(assignee=agent, status__in=OPEN_STATUSES).count()


def assignment_check(*, ticket: Ticket, agent: Agent, actor: AbstractBaseUser) -> None:
    """Whether `agent` may be given `ticket` by hand: nobody is given more open tickets than their
    capacity (team membership is checked by ticket_assign)."""
    if ticket.assignee_id == agent.pk:
        return
    load = agent_open_load(agent)
    if load >= agent.capacity:
        raise ValidationError(
            {"assignee": [ERR_AT_CAPACITY.format(agent=agent, load=load, capacity=agent.capacity)]}
        )


def ticket_update(
    *,
    ticket: Ticket,
    actor: AbstractBaseUser,
    status: str | object = UNSET,
    priority: str | object = UNSET,
    assignee: str | None | object = UNSET,
    tags: list[str] | object = UNSET,
    reason: str = "",
) -> Ticket:
    """Apply the given changes (the others stay). Status "resolved" resolves, "open" on a resolved
    ticket reopens; the other moves follow the usual status rules. `assignee` is a username, or None
    to unassign. Every part records its own event; a refused part refuses the whole change."""
    if not can_work_ticket(actor, ticket):
        raise PermissionDenied(errors.ERR_NOT_YOUR_TICKET)
    with transaction.atomic():
        if tags is not UNSET:
            ticket_set_tags(ticket=ticket, names=tags, actor=actor)
        if priority is not UNSET:
            if priority not in Priority.values:
                raise ValidationError({"priority": [f"Choose one of: {', '.join(Priority.values)}."]})
            if priority != ticket.priority:
                ticket = ticket_set_priority(ticket=ticket, priority=priority, actor=actor, reason=reason)
        if assignee is not UNSET:
            if assignee is None:
                if ticket.assignee_id is not None:
                    ticket = ticket_assign(
                        ticket=ticket, agent=None, actor=actor, reason=reason or "Unassigned."
                    )
            else:
                agent = agent_by_username(assignee)
                assignment_check(ticket=ticket, agent=agent, actor=actor)
                ticket = ticket_assign(
                    ticket=ticket, agent=agent, actor=actor, reason=reason or "Assigned by hand."
                )
        if status is not UNSET:
            ticket = ticket_status_change(ticket=ticket, status=status, actor=actor, reason=reason)
    return ticket


def ticket_status_change(
    *, ticket: Ticket, status: str, actor: AbstractBaseUser | None, reason: str = ""
) -> Ticket:
    """Any status an agent may choose, through the service that owns the move."""
    if status not in Status.values:
        raise ValidationError({"status": [f"Choose one of: {', '.join(Status.values)}."]})
    if status == ticket.status:
        return ticket
    if status == Status.RESOLVED:
        return ticket_resolve(ticket=ticket, actor=actor, reason=reason)
    if ticket.status == Status.RESOLVED and status == Status.OPEN:
        return ticket_reopen(ticket=ticket, actor=actor, reason=reason or "Reopened by hand.")
    return ticket_set_status(ticket=ticket, status=status, actor=actor, reason=reason)
