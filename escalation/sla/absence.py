"""Hand-offs: open tickets of an assignee who is away, offline or on leave do not wait forever.

Once an assignee has been unavailable longer than the grace period of a ticket's policy, the ticket goes
to the agent's named backup when the backup fits (available, not on leave, room under capacity, a
member of the ticket's team, a tier at least as high); otherwise it is taken from the agent and routed
again without them. The agent's row is locked (SKIP LOCKED) while their tickets are handed on, so two
sweeps never hand on the same agent's tickets twice.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.db import transaction
from django.db.models import Exists, OuterRef, Q

from escalation.sla.actions import HAND_ON, route_after_commit
from escalation.sla.policies import PolicyBook
from helpdesk.models import OPEN_STATUSES, Agent, AgentLeave, AgentStatus, Ticket, Trigger
from helpdesk.notifications import notify
from helpdesk.services import ticket_assign

DEFAULT_GRACE_MINUTES = 30
LONG_AGO = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)  # status never changed through the app: assume long ago
ONE_DAY = dt.timedelta(days=1)


def _local_today(agent: Agent, now: dt.datetime) -> dt.date:
    return now.astimezone(zoneinfo.ZoneInfo(agent.timezone)).date()


def unavailable_since(agent: Agent, now: dt.datetime) -> dt.datetime | None:
    """Since when the agent has been away/offline or on leave (leave starts at local midnight); None if
    they are available and not on leave today."""
    moments = []
    if agent.status != AgentStatus.AVAILABLE:
        moments.append(agent.status_changed_at or LONG_AGO)
    zone = zoneinfo.ZoneInfo(agent.timezone)
    today = _local_today(agent, now)
    for leave in agent.leaves.all():
        if leave.covers(today):
            moments.append(dt.datetime.combine(leave.starts_on, dt.time(0), tzinfo=zone))
    return min(moments, default=None)


def backup_can_take(backup: Agent | None, ticket: Ticket, *, now: dt.datetime, load: int) -> bool:
    if backup is None or backup.pk == ticket.assignee_id:
        return False
    return (
        backup.status == AgentStatus.AVAILABLE
        and unavailable_since(backup, now) is None
        and load < backup.capacity
        and (
            backup.sees_all_tickets
            or ticket.team_id is None
            or backup.teams.filter(pk=ticket.team_id).exists()
        )
        and (ticket.tier_id is None or backup.tier.level >= ticket.tier.level)
    )


def unavailable_assignees(now: dt.datetime):
    """Agents who are away/offline or (around today) on leave, and still hold open tickets."""
    today = now.date()
    on_leave = AgentLeave.objects.filter(starts_on__lte=today + ONE_DAY, ends_on__gte=today - ONE_DAY)
    holds_open = Ticket.objects.filter(assignee=OuterRef("pk"), status__in=OPEN_STATUSES)
    return (
        Agent.objects.filter(
            Q(status__in=[AgentStatus.AWAY, AgentStatus.OFFLINE]) | Q(pk__in=on_leave.values("agent_id"))
        )
        .filter(Exists(holds_open))
        .values_list("pk", flat=True)
    )


def hand_off_unavailable(*, now: dt.datetime, book: PolicyBook, dry_run: bool = False) -> list[str]:
    lines = []
    for agent_id in list(unavailable_assignees(now)):
        with transaction.atomic():
            agent = (
                Agent.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("user", "backup__user", "backup__tier")
                .prefetch_related("leaves", "backup__leaves")
                .filter(pk=agent_id)
                .first()
            )
            if agent is not None:
                lines += _hand_off(agent, now=now, book=book, dry_run=dry_run)
    return lines


def _hand_off(agent: Agent, *, now: dt.datetime, book: PolicyBook, dry_run: bool) -> list[str]:
    since = unavailable_since(agent, now)
    if since is None:
        return []
    why = f"{agent.user.get_username()} is {agent.get_status_display().lower()}"
    if agent.status == AgentStatus.AVAILABLE:
        why = f"{agent.user.get_username()} is on leave"
    backup = agent.backup
    backup_load = backup.assigned_tickets.filter(status__in=OPEN_STATUSES).count() if backup else 0
    lines = []
    tickets = agent.assigned_tickets.filter(status__in=OPEN_STATUSES).select_related(
        "organization", "team", "tier"
    )
    for ticket in tickets.order_by("-priority_score", "created_at"):
        policy = book.policy_for(ticket)
        grace = policy.handoff_grace_minutes if policy else DEFAULT_GRACE_MINUTES
        if now < since + dt.timedelta(minutes=grace):
            continue
        to_backup = backup_can_take(backup, ticket, now=now, load=backup_load)
        target = f"their backup {backup.user.get_username()}" if to_backup else "routing"
        verb = "would be handed on" if dry_run else "handed on"
        lines.append(f"#{ticket.pk} {verb} ({why}) to {target}")
        if dry_run:
            continue
        reason = f"{why.capitalize()} for more than {grace} minutes."
        if to_backup:
            ticket_assign(ticket=ticket, agent=backup, actor=None, trigger=Trigger.SLA, reason=reason)
            notify(
                recipients=[backup.user],
                kind="assignment",
                title=f"#{ticket.pk} handed to you: {why}",
                body=ticket.subject,
                ticket=ticket,
            )
            backup_load += 1
        else:
            ticket_assign(
                ticket=ticket, agent=None, actor=None, trigger=Trigger.SLA, reason=reason, details=HAND_ON
            )
            route_after_commit(ticket.pk, trigger="agent_unavailable", exclude_agent_ids=(agent.pk,))
    return lines
