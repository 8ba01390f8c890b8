"""Computed reports are kept until the data under them changes.

Every change to a ticket writes an event, so the newest event id (read from the primary key index, in
microseconds) names the state of the data, with the newest ticket id for tickets whose first routing
(which records their `ticket.created` event) has not run yet; articles, which topics compare with, add
their latest edit.
A report is stored under its page, its filters and that state: a repeated request is answered from the
cache, and the first request after any change computes afresh. The expiry only bounds how long a change
that writes no event (an organization's churn risk, say) can go unseen.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache
from django.db.models import Max

from analytics.db import reporting_session
from analytics.facts.store import refresh as refresh_facts
from analytics.filters import Filters
from helpdesk.models import Article, Ticket, TicketEvent

REPORT_SECONDS = 600
T = TypeVar("T")


def data_version() -> str:
    latest_event = TicketEvent.objects.aggregate(latest=Max("pk"))["latest"]
    latest_ticket = Ticket.objects.aggregate(latest=Max("pk"))["latest"]
    latest_article = Article.objects.aggregate(latest=Max("updated_at"))["latest"]
    return f"{latest_event}|{latest_ticket}|{latest_article}"


def cached(kind: str, filters: Filters, compute: Callable[[Filters], T]) -> T:
    """compute(filters) for this kind of result, from the cache while the data has not changed."""
    state = f"{kind}|{sorted(filters.as_params().items())}|{data_version()}"
    key = "analytics:" + hashlib.sha256(state.encode()).hexdigest()
    result = cache.get(key)
    if result is None:
        refresh_facts()  # in its own transaction: the report's long read transaction holds no lock
        with reporting_session():
            result = compute(filters)
        cache.set(key, result, REPORT_SECONDS)
    return result
