"""Past tickets routed again as they arrived, by a given policy, with nothing kept.

Each ticket is put back as it came in (no team, tier, agent, priority, triage or SLA state; the category
only when the customer chose it; its event history set aside, so routing sees a first arrival) and routed
by the real engine (escalation.routing.route) at the moment it was created. All of it happens in a
transaction that is rolled back: no decision, event, notification, e-mail or task survives, and the
live tickets are untouched. What the replay reads off each ticket before the rollback is its Placement.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection, transaction

from escalation.models import RoutingDecision, TicketSla
from escalation.routing.engine import route
from escalation.routing.policy import Policy
from helpdesk.models import CategorySource, Priority, Status, Ticket, TicketEvent

# Where a ticket stands before its first routing.
ARRIVAL = {
    "status": Status.NEW,
    "priority": Priority.NORMAL,
    "priority_score": None,
    "team": None,
    "tier": None,
    "assignee": None,
    "first_response_at": None,
    "resolved_at": None,
    "closed_at": None,
    "last_agent_activity_at": None,
    "first_response_due": None,
    "next_reply_due": None,
    "resolution_due": None,
    "sla_paused_at": None,
    "first_routed_at": None,
    "sla_breached": False,
    "reopen_count": 0,
    "escalation_count": 0,
    "sentiment": None,
    "frustration": None,
    "escalation_probability": None,
    "confidence": None,
    "autonomy": None,
    "requires_human": False,
    "is_flagged": False,
    "flag_reason": "",
}


@dataclass(frozen=True)
class Placement:
    """Where routing put a ticket (or where it ended, for `ended`), by names people read."""

    team: str | None
    tier: int | None
    priority: str
    score: float | None
    autonomy: str | None
    category: str | None
    rules: tuple[str, ...] = ()


@dataclass(frozen=True)
class Replayed:
    """One ticket: where the policy put it, and where it ended in reality."""

    ticket_id: int
    subject: str
    created_at: dt.datetime
    escalated: bool  # in reality
    ended: Placement  # its team and tier now (after any escalations), its priority and category now
    placed: Placement


def _placement(ticket: Ticket, rules: Iterable[str] = ()) -> Placement:
    return Placement(
        team=ticket.team.name if ticket.team_id else None,
        tier=ticket.tier.level if ticket.tier_id else None,
        priority=ticket.priority,
        score=ticket.priority_score,
        autonomy=ticket.autonomy,
        category=ticket.category.name if ticket.category_id else None,
        rules=tuple(rules),
    )


def _tickets(ids: Iterable[int]) -> list[Ticket]:
    return list(
        Ticket.objects.filter(pk__in=list(ids))
        .select_related("team", "tier", "category")
        .order_by("created_at", "pk")
    )


def _set_history_aside(ids: list[int]) -> None:
    """Inside the rolled-back transaction only: the event log is append-only for everything else."""
    with connection.cursor() as cursor:
        table = TicketEvent._meta.db_table
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            cursor.execute(
                f"DELETE FROM {table} WHERE ticket_id IN ({', '.join(['%s'] * len(chunk))})", chunk
            )


def replay(ticket_ids: Iterable[int], policy: Policy) -> list[Replayed]:
    """Route these tickets again by `policy` as they arrived, oldest first; nothing is kept."""
    before = _tickets(ticket_ids)
    ids = [t.pk for t in before]
    out: list[Replayed] = []
    with transaction.atomic():
        Ticket.objects.filter(pk__in=ids).exclude(category_source=CategorySource.CUSTOMER).update(
            category=None, category_source=""
        )
        Ticket.objects.filter(pk__in=ids).update(**ARRIVAL)
        Ticket.required_skills.through.objects.filter(ticket_id__in=ids).delete()
        TicketSla.objects.filter(ticket_id__in=ids).delete()
        RoutingDecision.objects.filter(ticket_id__in=ids).delete()
        _set_history_aside(ids)
        for ticket in before:
            decision = route([ticket.pk], "created", policy=policy, now=ticket.created_at).get(ticket.pk)
            [again] = _tickets([ticket.pk])
            out.append(
                Replayed(
                    ticket_id=ticket.pk,
                    subject=ticket.subject,
                    created_at=ticket.created_at,
                    escalated=ticket.escalation_count > 0,
                    ended=_placement(ticket),
                    placed=_placement(again, decision.rules_fired if decision else ()),
                )
            )
        transaction.set_rollback(True)
    return out
