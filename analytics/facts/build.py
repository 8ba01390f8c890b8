"""Reading the facts of some creation days from the tickets and their events.

Every duration is computed by the database with the same expressions the definitions use
(analytics.db.HoursBetween), so a percentile taken over the stored values is the one the database
would compute over the rows (docs/metrics.md).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
from django.db.models import Case, Exists, F, IntegerField, OuterRef, Q, Subquery, When
from django.db.models.functions import Cast, Coalesce, ExtractHour, ExtractIsoWeekDay, TruncDate

from analytics.db import HoursBetween
from analytics.facts.columns import CODED, COLUMNS, NONE
from analytics.filters import ESCALATED, ESCALATION_CODES, day_start
from helpdesk.models import Ticket, TicketEvent

FLAG_CODES = {
    "replied": "automation.replied",
    "rejected": "automation.rejected",
    "abandoned": "sla.abandoned",
    "blocked": "routing.circular_blocked",
}


def escalation_at(latest: bool, events=None) -> Subquery:
    """For a ticket (outer query): the time of its first (or latest) escalation event among `events`."""
    events = TicketEvent.objects.all() if events is None else events
    order = ("-created_at", "-pk") if latest else ("created_at", "pk")
    return Subquery(
        events.filter(ticket_id=OuterRef("pk"), code__in=ESCALATION_CODES)
        .order_by(*order)
        .values("created_at")[:1]
    )


def reached_tier_at() -> Case:
    """When the ticket reached the tier it is at: the latest escalation into that tier from another tier;
    tickets that never changed tier entered it at creation. Only escalated tickets can have changed
    tier: the CASE spares the lookup for all the others."""
    into_tier = TicketEvent.objects.filter(to_tier=OuterRef("tier")).exclude(from_tier=F("to_tier"))
    return Case(
        When(ESCALATED, then=Coalesce(escalation_at(True, into_tier), "created_at")), default="created_at"
    )


def later_escalation() -> Exists:
    """For an escalation event (outer query): the same ticket was escalated again afterwards."""
    return Exists(
        TicketEvent.objects.filter(
            Q(created_at__gt=OuterRef("created_at"))
            | Q(created_at=OuterRef("created_at"), pk__gt=OuterRef("pk")),
            ticket_id=OuterRef("ticket_id"),
            code__in=ESCALATION_CODES,
        )
    )


def returns_to_team_it_left() -> Exists:
    """For an escalation event (outer query): an earlier team change moved this ticket away from the
    team this event now sends it to."""
    earlier = Q(created_at__lt=OuterRef("created_at")) | Q(
        created_at=OuterRef("created_at"), pk__lt=OuterRef("pk")
    )
    return Exists(
        TicketEvent.objects.filter(
            earlier, ticket_id=OuterRef("ticket_id"), code__in=ESCALATION_CODES, from_team=OuterRef("to_team")
        ).exclude(to_team=F("from_team"))
    )


TICKET_FIELDS = {
    "id": "pk",
    "customer": "customer_id",
    "organization": "organization_id",
    "category": "category_id",
    "team": "team_id",
    "tier": "tier_id",
    "channel": "channel",
    "autonomy": "autonomy",
    "escalation_count": "escalation_count",
    "breached": "sla_breached",
    "csat": "csat__score",
    "reopens": "reopen_count",
}


def _ticket_rows(start: dt.datetime, end: dt.datetime):
    first = escalation_at(False)
    return (
        Ticket.objects.filter(created_at__gte=start, created_at__lt=end)
        .annotate(
            fact_day=TruncDate("created_at"),
            resolution_h=HoursBetween("resolved_at", "created_at"),
            first_response_h=HoursBetween("first_response_at", "created_at"),
            first_escalation_h=HoursBetween(first, "created_at"),
            after_first_h=HoursBetween("resolved_at", first),
            after_last_h=HoursBetween("resolved_at", Case(When(ESCALATED, then=escalation_at(True)))),
            at_tier_h=HoursBetween("resolved_at", reached_tier_at()),
        )
        .order_by("created_at", "pk")
        .values(
            "fact_day",
            "created_at",
            "resolved_at",
            "assignee_id",
            "resolution_h",
            "first_response_h",
            "first_escalation_h",
            "after_first_h",
            "after_last_h",
            "at_tier_h",
            *TICKET_FIELDS.values(),
        )
    )


def _escalation_rows(start: dt.datetime, end: dt.datetime):
    return (
        TicketEvent.objects.filter(
            code__in=ESCALATION_CODES, ticket__created_at__gte=start, ticket__created_at__lt=end
        )
        .annotate(
            weekday=Cast(ExtractIsoWeekDay("created_at"), IntegerField()),
            hour=Cast(ExtractHour("created_at"), IntegerField()),
            after_h=HoursBetween("ticket__resolved_at", "created_at"),
            later=later_escalation(),
        )
        .order_by("created_at", "pk")
        .values(
            "pk",
            "ticket_id",
            "code",
            "trigger",
            "created_at",
            "from_team_id",
            "to_team_id",
            "from_tier_id",
            "to_tier_id",
            "from_agent_id",
            "weekday",
            "hour",
            "after_h",
            "later",
        )
    )


def _ping_pong_ids(start: dt.datetime, end: dt.datetime) -> set[int]:
    return set(
        TicketEvent.objects.filter(
            code__in=ESCALATION_CODES, ticket__created_at__gte=start, ticket__created_at__lt=end
        )
        .exclude(to_team=F("from_team"))
        .filter(returns_to_team_it_left())
        .values_list("pk", flat=True)
    )


def _other_events(start: dt.datetime, end: dt.datetime) -> Iterable[tuple[int, str, int | None, int | None]]:
    """(ticket, code, to_agent, from_agent) of the events of the range's tickets that set a flag, assign
    the ticket, or name an agent: one pass instead of a lookup per ticket and code."""
    return (
        TicketEvent.objects.filter(ticket__created_at__gte=start, ticket__created_at__lt=end)
        .filter(
            Q(code__in=[*FLAG_CODES.values(), "ticket.assigned"])
            | Q(to_agent__isnull=False)
            | Q(from_agent__isnull=False)
        )
        .values_list("ticket_id", "code", "to_agent_id", "from_agent_id")
        .distinct()
    )


def _us(moment: dt.datetime) -> int:
    delta = moment - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def _id(value: int | None) -> int:
    return NONE if value is None else value


def _hours(value: float | None) -> float:
    return np.nan if value is None else value


@dataclass
class DayFacts:
    """One day's arrays while they are being collected: kind -> name -> list of values."""

    day: dt.date
    values: dict[str, dict[str, list]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(list)))
    index: dict[int, int] = field(default_factory=dict)  # ticket id -> its row
    vocabulary: dict[str, list[str]] = field(default_factory=dict)

    def code(self, column: str, value: str | None) -> int:
        if value is None:
            return NONE
        words = self.vocabulary.setdefault(column, [])
        if value not in words:
            words.append(value)
        return words.index(value)

    def add(self, kind: str, **row) -> None:
        for name, value in row.items():
            if (kind, name) in CODED:
                value = self.code(f"{kind}.{name}", value)
            self.values[kind][name].append(value)

    def arrays(self) -> dict[str, np.ndarray]:
        """Every column as its array (empty ones too: a rebuilt day replaces all it had)."""
        out = {}
        for kind, columns in COLUMNS.items():
            for name, dtype in columns.items():
                out[f"{kind}.{name}"] = np.asarray(self.values[kind][name], dtype=dtype)
        return out

    @property
    def tickets(self) -> int:
        return len(self.index)

    @property
    def escalations(self) -> int:
        return len(self.values["escalation"]["id"])


def _add_pass(day: DayFacts, kind: str, row: int, value: int | None, seen: set) -> None:
    if value is not None and (kind, day.day, row, value) not in seen:
        seen.add((kind, day.day, row, value))
        day.add(kind, ticket=row, **{kind.removesuffix("_pass"): value})


def build_days(first: dt.date, last: dt.date) -> dict[dt.date, DayFacts]:
    """The facts of every day from `first` to `last` (inclusive) that has tickets."""
    start, end = day_start(first), day_start(last + dt.timedelta(days=1))
    days: dict[dt.date, DayFacts] = {}
    where: dict[int, tuple[DayFacts, int]] = {}  # ticket id -> (its day, its row)
    seen: set = set()
    for t in _ticket_rows(start, end).iterator(chunk_size=5000):
        day = days.get(t["fact_day"]) or days.setdefault(t["fact_day"], DayFacts(t["fact_day"]))
        row = len(day.index)
        day.index[t["pk"]] = row
        where[t["pk"]] = (day, row)
        day.add(
            "ticket",
            created_us=_us(t["created_at"]),
            resolved=t["resolved_at"] is not None,
            csat=t["csat__score"] or 0,
            **{
                name: (_id(t[source]) if source.endswith("_id") else t[source])
                for name, source in TICKET_FIELDS.items()
                if name != "csat"
            },
            **{name: _hours(t[name]) for name in COLUMNS["ticket"] if name.endswith("_h")},
            **dict.fromkeys(FLAG_CODES, False),
        )
        _add_pass(day, "team_pass", row, t["team_id"], seen)
        _add_pass(day, "tier_pass", row, t["tier_id"], seen)
        _add_pass(day, "agent_pass", row, t["assignee_id"], seen)
    if not days:
        return days
    returns = _ping_pong_ids(start, end)
    for e in _escalation_rows(start, end).iterator(chunk_size=5000):
        day, row = where[e["ticket_id"]]
        day.add(
            "escalation",
            ticket=row,
            id=e["pk"],
            at_us=_us(e["created_at"]),
            hierarchical=e["code"] == "escalation.hierarchical",
            trigger=e["trigger"],
            from_team=_id(e["from_team_id"]),
            to_team=_id(e["to_team_id"]),
            from_tier=_id(e["from_tier_id"]),
            to_tier=_id(e["to_tier_id"]),
            from_agent=_id(e["from_agent_id"]),
            cell=(e["weekday"] - 1) * 24 + e["hour"],
            after_h=_hours(e["after_h"]),
            later=bool(e["later"]),
            returns=e["pk"] in returns,
        )
        for team in (e["from_team_id"], e["to_team_id"]):
            _add_pass(day, "team_pass", row, team, seen)
        for tier in (e["from_tier_id"], e["to_tier_id"]):
            _add_pass(day, "tier_pass", row, tier, seen)
    flags = {code: flag for flag, code in FLAG_CODES.items()}
    assigned = set()
    for ticket, code, to_agent, from_agent in _other_events(start, end):
        day, row = where[ticket]
        if code in flags:
            day.values["ticket"][flags[code]][row] = True
        if code == "ticket.assigned":
            assigned.add((ticket, to_agent))
        for agent in (to_agent, from_agent):
            _add_pass(day, "agent_pass", row, agent, seen)
    for ticket, to_agent in sorted(assigned, key=lambda pair: (pair[0], _id(pair[1]))):
        day, row = where[ticket]
        day.add("assignment", ticket=row, agent=_id(to_agent))
    return days
