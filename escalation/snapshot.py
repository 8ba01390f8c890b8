"""The plain facts about one ticket that rules and the priority score read (no database access after build)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property

from django.db.models import Q

from escalation.text import largest_amount
from helpdesk.models import AuthorKind, Message, Status, Ticket

LOOKBACK_DAYS = 90  # how far back repeat contacts and the last served agent are looked up
LOOKBACK_ROWS = 60
EXTRA_MESSAGES = 5  # the latest customer messages whose text the rules also read


@dataclass(frozen=True)
class TicketSnapshot:
    now: dt.datetime
    text: str  # subject, body and later customer messages, lower-cased
    channel: str
    priority: str
    language: str
    created_at: dt.datetime
    ticket_id: int | None = None
    category: str | None = None
    team: str | None = None
    tier_level: int | None = None
    segment: str | None = None
    is_vip: bool | None = None
    contract_value: float | None = None
    days_to_renewal: int | None = None
    churn_risk: float | None = None
    sentiment: float | None = None
    frustration: float | None = None
    escalation_probability: float | None = None
    reopen_count: int = 0
    escalation_count: int = 0
    sla_start: dt.datetime | None = None
    sla_due: dt.datetime | None = None
    sla_breached: bool = False
    recent_ticket_times: tuple[
        dt.datetime, ...
    ] = ()  # this customer's tickets in the lookback, this one included
    last_good_agent_id: int | None = None  # who last resolved this customer's ticket with a good rating

    def recent_tickets(self, days: int) -> int:
        since = self.now - dt.timedelta(days=days)
        return sum(1 for at in self.recent_ticket_times if at >= since)

    @cached_property
    def amount(self) -> float | None:
        return largest_amount(self.text)

    def fact(self, name: str):
        """A rule field's value; None when unknown."""
        return self.amount if name == "amount" else getattr(self, name)


def _customer_history(ticket: Ticket, now: dt.datetime, good_csat: int) -> tuple[tuple, int | None]:
    """Times of the customer's recent tickets and the last agent who served them well, in one query."""
    since = now - dt.timedelta(days=LOOKBACK_DAYS)
    rows = list(
        Ticket.objects.filter(Q(customer_id=ticket.customer_id), Q(created_at__gte=since) | Q(pk=ticket.pk))
        .order_by("-created_at")
        .values_list("pk", "created_at", "assignee_id", "status", "csat__score")[:LOOKBACK_ROWS]
    )
    times = tuple(created for pk, created, *_ in rows if created <= now or pk == ticket.pk)
    if ticket.pk is None:  # not saved yet (intake): it still counts as a contact
        times = (ticket.created_at, *times)
    last_good = None
    for pk, _created, assignee_id, status, csat in rows:
        if pk != ticket.pk and status in (Status.RESOLVED, Status.CLOSED) and assignee_id:
            last_good = assignee_id if csat is not None and csat >= good_csat else None
            break
    return times, last_good


def _later_customer_text(ticket: Ticket) -> str:
    bodies = (
        Message.objects.filter(ticket_id=ticket.pk, author_kind=AuthorKind.CUSTOMER, is_internal=False)
        .order_by("-created_at", "-id")
        .values_list("body", flat=True)[:EXTRA_MESSAGES]
    )
    return "\n".join(body for body in bodies if body != ticket.body)


def snapshot_for(
    ticket: Ticket, *, now: dt.datetime, with_messages: bool = False, good_csat: int = 4
) -> TicketSnapshot:
    """Read everything rules and factors need. Expects organization/category/team/tier loaded or cheap."""
    org = ticket.organization
    times, last_good = _customer_history(ticket, now, good_csat) if ticket.customer_id else ((), None)
    text = f"{ticket.subject}\n{ticket.body}"
    if with_messages and ticket.pk:
        text = f"{text}\n{_later_customer_text(ticket)}"
    start = ticket.last_customer_message_at if ticket.first_response_at else ticket.created_at
    return TicketSnapshot(
        now=now,
        text=text.lower(),
        channel=ticket.channel,
        priority=ticket.priority,
        language=ticket.language,
        created_at=ticket.created_at,
        ticket_id=ticket.pk,
        category=ticket.category.name if ticket.category_id else None,
        team=ticket.team.name if ticket.team_id else None,
        tier_level=ticket.tier.level if ticket.tier_id else None,
        segment=org.segment if org else None,
        is_vip=org.is_vip if org else None,
        contract_value=float(org.annual_contract_value) if org else None,
        days_to_renewal=org.days_to_renewal(now.date()) if org else None,
        churn_risk=org.churn_risk if org else None,
        sentiment=ticket.sentiment,
        frustration=ticket.frustration,
        escalation_probability=ticket.escalation_probability,
        reopen_count=ticket.reopen_count,
        escalation_count=ticket.escalation_count,
        sla_start=start or ticket.created_at,
        sla_due=ticket.sla_due(),
        sla_breached=ticket.sla_breached,
        recent_ticket_times=times,
        last_good_agent_id=last_good,
    )
