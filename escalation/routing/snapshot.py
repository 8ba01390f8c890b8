"""The plain facts about one ticket that rules and the priority score read (no database access after build)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property

from django.db import connection
from django.db.models import Q

from escalation.routing import read_ahead
from escalation.text import largest_amount
from helpdesk.models import AuthorKind, Csat, Message, Status, Ticket

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
    account_health: float | None = None  # the organization's computed health, 0..100
    account_at_risk: bool | None = None
    usage_trends: dict = field(default_factory=dict)  # Organization.usage_trends
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

    def usage_change(self, measure: str, days: int) -> float | None:
        """How much a usage measure changed over `days` days as a fraction (2.0 = +200 %); None if unknown."""
        change = self.usage_trends.get(measure, {}).get("change", {}).get(str(days))
        return float(change) if change is not None else None

    def recent_tickets(self, days: int) -> int:
        since = self.now - dt.timedelta(days=days)
        return sum(1 for at in self.recent_ticket_times if at >= since)

    @cached_property
    def amount(self) -> float | None:
        return largest_amount(self.text)

    def fact(self, name: str):
        """A rule field's value; None when unknown."""
        return self.amount if name == "amount" else getattr(self, name)


HistoryRow = tuple  # (ticket pk, created_at, assignee_id, status, csat score), newest first


def _history_query(customer_id: int, since: dt.datetime, also_pk: int | None = None):
    return (
        Ticket.objects.filter(Q(customer_id=customer_id), Q(created_at__gte=since) | Q(pk=also_pk))
        .order_by("-created_at")
        .values_list("pk", "created_at", "assignee_id", "status", "csat__score")[:LOOKBACK_ROWS]
    )


def customer_histories(tickets: list[Ticket], now: dt.datetime) -> dict[int, list[HistoryRow]]:
    """The recent tickets of each customer of `tickets`, newest first, keyed by customer id: one query
    on PostgreSQL (a LATERAL join walks the (customer, -created_at) index once per customer), one per
    customer elsewhere. For scoring many tickets at once, e.g. a sweep batch."""
    since = now - dt.timedelta(days=LOOKBACK_DAYS)
    customer_ids = sorted({t.customer_id for t in tickets if t.customer_id})
    if not customer_ids:
        return {}
    if connection.vendor != "postgresql":
        return {cid: list(_history_query(cid, since)) for cid in customer_ids}
    histories: dict[int, list[HistoryRow]] = {cid: [] for cid in customer_ids}
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT c.id, h.id, h.created_at, h.assignee_id, h.status, r.score
            FROM unnest(%s::bigint[]) AS c(id)
            CROSS JOIN LATERAL (
                SELECT t.id, t.created_at, t.assignee_id, t.status FROM {Ticket._meta.db_table} t
                WHERE t.customer_id = c.id AND t.created_at >= %s
                ORDER BY t.created_at DESC LIMIT {LOOKBACK_ROWS}
            ) h
            LEFT JOIN {Csat._meta.db_table} r ON r.ticket_id = h.id
            ORDER BY c.id, h.created_at DESC
            """,
            [customer_ids, since],
        )
        for customer_id, *row in cursor.fetchall():
            histories[customer_id].append(tuple(row))
    return histories


def _customer_history(
    ticket: Ticket, now: dt.datetime, good_csat: int, rows: list[HistoryRow] | None = None
) -> tuple[tuple, int | None]:
    """Times of the customer's recent tickets and the last agent who served them well.

    `rows` are the customer's recent tickets when the caller has them (customer_histories); else one query.
    """
    if rows is None:
        ahead = read_ahead.current()
        rows = ahead.history(ticket) if ahead else None
    if rows is None:
        rows = list(_history_query(ticket.customer_id, now - dt.timedelta(days=LOOKBACK_DAYS), ticket.pk))
    elif ticket.pk and len(rows) < LOOKBACK_ROWS and all(pk != ticket.pk for pk, *_ in rows):
        rows = [*rows, (ticket.pk, ticket.created_at, ticket.assignee_id, ticket.status, None)]  # older one
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
    ahead = read_ahead.current()
    bodies = ahead.bodies(ticket) if ahead else None
    if bodies is None:
        bodies = (
            Message.objects.filter(ticket_id=ticket.pk, author_kind=AuthorKind.CUSTOMER, is_internal=False)
            .order_by("-created_at", "-id")
            .values_list("body", flat=True)
        )
    return "\n".join(body for body in bodies[:EXTRA_MESSAGES] if body != ticket.body)


def snapshot_for(
    ticket: Ticket,
    *,
    now: dt.datetime,
    with_messages: bool = False,
    good_csat: int = 4,
    history: list[HistoryRow] | None = None,
) -> TicketSnapshot:
    """Read everything rules and factors need. Expects organization/category/team/tier loaded or cheap;
    `history`: the customer's recent tickets if already read (customer_histories)."""
    org = ticket.organization
    times, last_good = (
        _customer_history(ticket, now, good_csat, history) if ticket.customer_id else ((), None)
    )
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
        account_health=org.health_score if org else None,
        account_at_risk=org.at_risk if org else None,
        usage_trends=(org.usage_trends or {}) if org else {},
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
