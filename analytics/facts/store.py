"""Keeping the day facts current, and reading them back.

Every change to a ticket writes an event, so the days to rebuild are the creation days of the tickets
that have events (or are tickets) newer than the watermark. Ids a transaction had taken but not yet
committed when the watermark moved past them are remembered as missing; when one appears later, its day
is rebuilt too. A deleted ticket marks its day stale. Changes of other tables (an organization's segment,
a category's team, a team's name) are read at report time and need no rebuild.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import numpy as np
from django.db import transaction
from django.db.models import Exists, Max, Q, Subquery
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from analytics.facts.build import build_days
from analytics.facts.columns import SCHEMA, dtype_of
from analytics.models import FactColumn, FactDay, FactWatermark
from helpdesk.models import Ticket, TicketEvent

# How far below the newest id an uncommitted id is still waited for.
MARGIN = 10_000
# Days read from the database in one pass when rebuilding.
CHUNK_DAYS = 7


def refresh() -> list[dt.date]:
    """Bring the facts up to date with every committed change; returns the days rebuilt.

    Reports call this at every computation: when nothing changed it is one read (no lock is taken, so
    reports computed at the same time do not wait for each other)."""
    if _up_to_date():
        return []
    with transaction.atomic():
        mark = FactWatermark.objects.select_for_update().filter(pk=1).first() or FactWatermark.objects.create(
            pk=1
        )
        days = _start_over(mark) if mark.schema != SCHEMA else _days_changed(mark)
        days |= set(FactDay.objects.filter(stale=True).values_list("day", flat=True))
        rebuild(days)
        mark.save()
    return sorted(days)


def _newest(model) -> Subquery:
    return Subquery(model.objects.order_by("-pk").values("pk")[:1])


def _up_to_date() -> bool:
    """Nothing has happened since the facts were last brought up to date (one query)."""
    state = (
        FactWatermark.objects.filter(pk=1)
        .annotate(
            newest_event=Coalesce(_newest(TicketEvent), 0),
            newest_ticket=Coalesce(_newest(Ticket), 0),
            stale_days=Exists(FactDay.objects.filter(stale=True)),
        )
        .first()
    )
    if state is None or state.schema != SCHEMA or state.stale_days:
        return False
    if (state.newest_event, state.newest_ticket) != (state.events, state.tickets):
        return False
    # Ids that were taken but not committed when the watermark passed them: still not there?
    return not (
        (state.missing_events and TicketEvent.objects.filter(pk__in=state.missing_events).exists())
        or (state.missing_tickets and Ticket.objects.filter(pk__in=state.missing_tickets).exists())
    )


def _local_day(moment: dt.datetime) -> dt.date:
    return timezone.localdate(moment)


def _advance(old: int, missing: Iterable[int], seen: Iterable[int]) -> tuple[int, list[int]]:
    """The new watermark (the newest id seen) and the ids below it, within MARGIN, not seen yet."""
    seen = set(seen)
    top = max([old, *seen])
    waiting = {i for i in missing if i not in seen}
    waiting |= {i for i in range(max(old + 1, top - MARGIN + 1), top + 1) if i not in seen}
    return top, sorted(i for i in waiting if i > top - MARGIN)


def _days_changed(mark: FactWatermark) -> set[dt.date]:
    events = list(
        TicketEvent.objects.filter(Q(pk__gt=mark.events) | Q(pk__in=mark.missing_events)).values_list(
            "pk", "ticket__created_at"
        )
    )
    tickets = list(
        Ticket.objects.filter(Q(pk__gt=mark.tickets) | Q(pk__in=mark.missing_tickets)).values_list(
            "pk", "created_at"
        )
    )
    mark.events, mark.missing_events = _advance(mark.events, mark.missing_events, [pk for pk, _ in events])
    mark.tickets, mark.missing_tickets = _advance(
        mark.tickets, mark.missing_tickets, [pk for pk, _ in tickets]
    )
    return {_local_day(created) for _, created in events + tickets}


def _start_over(mark: FactWatermark) -> set[dt.date]:
    """Every day with tickets, when there are no facts yet or they were built with another layout."""
    FactDay.objects.all().delete()
    for model, field in ((TicketEvent, "events"), (Ticket, "tickets")):
        top = model.objects.aggregate(top=Max("pk"))["top"] or 0
        recent = model.objects.filter(pk__gt=top - MARGIN).values_list("pk", flat=True)
        latest, missing = _advance(0, [], recent)
        setattr(mark, field, latest)
        setattr(mark, f"missing_{field}", missing)
    mark.schema = SCHEMA
    return set(Ticket.objects.annotate(day=TruncDate("created_at")).values_list("day", flat=True).distinct())


def _runs(days: Iterable[dt.date]) -> list[tuple[dt.date, dt.date]]:
    """Consecutive days grouped into (first, last) runs of at most CHUNK_DAYS."""
    runs: list[tuple[dt.date, dt.date]] = []
    for day in sorted(set(days)):
        if runs and day - runs[-1][1] == dt.timedelta(days=1) and (day - runs[-1][0]).days < CHUNK_DAYS:
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


def rebuild(days: Iterable[dt.date]) -> None:
    """Recompute the facts of these days (a day without tickets loses its row)."""
    now = timezone.now()
    for first, last in _runs(days):
        built = build_days(first, last)
        day = first
        while day <= last:
            facts = built.get(day)
            if facts is None:
                FactDay.objects.filter(day=day).delete()
            else:
                FactDay.objects.update_or_create(
                    day=day,
                    defaults={
                        "schema": SCHEMA,
                        "tickets": facts.tickets,
                        "escalations": facts.escalations,
                        "vocabulary": facts.vocabulary,
                        "built_at": now,
                        "stale": False,
                    },
                )
                FactColumn.objects.filter(day_id=day).delete()
                FactColumn.objects.bulk_create(
                    FactColumn(day_id=day, name=name, data=array.tobytes())
                    for name, array in facts.arrays().items()
                )
            day += dt.timedelta(days=1)


def ticket_deleted(ticket: Ticket) -> None:
    """post_delete receiver: the ticket's day is rebuilt before the next report."""
    FactDay.objects.filter(day=_local_day(ticket.created_at)).update(stale=True)


def read(since: dt.date, until: dt.date, names: Iterable[str]) -> dict[dt.date, dict[str, np.ndarray]]:
    """The named columns (kind.name) of every day with tickets from `since` to `until`."""
    names = list(names)
    out: dict[dt.date, dict[str, np.ndarray]] = {}
    rows = FactColumn.objects.filter(day_id__gte=since, day_id__lte=until, name__in=names).values_list(
        "day_id", "name", "data"
    )
    for day, name, data in rows.iterator(chunk_size=2000):
        out.setdefault(day, {})[name] = np.frombuffer(data, dtype=dtype_of(name))
    return out
