"""The SLA panel of the agent's ticket page: due times, time left, breach and pause state, policy."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django import template
from django.utils import timezone

from escalation.models.sla import Target, TicketSla
from escalation.sla.clock import fired
from escalation.sla.policies import current_book
from helpdesk.models import Status, Ticket

register = template.Library()

PAUSE_REASONS = {Status.PENDING: "waiting on the customer", Status.ON_HOLD: "on hold"}


@dataclass(frozen=True)
class SlaRow:
    """One target as the panel shows it. `state`: met, late, breached, warning, running, paused, none."""

    label: str
    due: dt.datetime | None
    state: str
    done_at: dt.datetime | None = None


def _row(label: str, due, *, done_at, breached: bool, warned: bool, paused: bool) -> SlaRow:
    if done_at is not None:
        return SlaRow(label, due, "late" if due and done_at > due else "met", done_at)
    if due is None:
        return SlaRow(label, None, "none")
    if breached or due <= timezone.now():
        return SlaRow(label, due, "breached" if not paused else "paused")
    return SlaRow(label, due, "paused" if paused else "warning" if warned else "running")


def sla_rows(ticket: Ticket, state: TicketSla) -> list[SlaRow]:
    paused = ticket.is_open and ticket.sla_paused_at is not None
    shown = [
        (Target.FIRST_RESPONSE, ticket.first_response_due, ticket.first_response_at),
        (Target.NEXT_REPLY, ticket.next_reply_due if ticket.is_open else None, None),
        (Target.RESOLUTION, ticket.resolution_due, ticket.resolved_at),
    ]
    rows = []
    for target, due, done_at in shown:
        warned, breached = fired(state, target)
        rows.append(
            _row(
                target.label.capitalize(),
                due,
                done_at=done_at,
                breached=breached,
                warned=warned,
                paused=paused,
            )
        )
    return rows


@register.inclusion_tag("escalation/_sla_panel.html")
def sla_panel(ticket: Ticket) -> dict:
    state = TicketSla.objects.select_related("policy__calendar").filter(pk=ticket.pk).first() or TicketSla()
    policy = state.policy or current_book().policy_for(ticket)
    return {
        "ticket": ticket,
        "state": state,
        "policy": policy,
        "rows": sla_rows(ticket, state),
        "paused_reason": PAUSE_REASONS.get(ticket.status, "")
        if ticket.is_open and ticket.sla_paused_at
        else "",
    }
