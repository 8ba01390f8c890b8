"""Small display helpers for tickets: time left on SLA deadlines, money, percentages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import template
from django.utils import timezone

register = template.Library()


def _span(seconds: float) -> str:
    minutes = int(abs(seconds) // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {mins:02d}m"
    return f"{mins}m"


@register.filter
def time_left(due: dt.datetime | None) -> str:
    """'2h 05m left' or '12m overdue'."""
    if due is None:
        return "—"
    seconds = (due - timezone.now()).total_seconds()
    return f"{_span(seconds)} left" if seconds >= 0 else f"{_span(seconds)} overdue"


@register.filter
def due_state(due: dt.datetime | None) -> str:
    """A CSS class: overdue, soon (under an hour), or ok."""
    if due is None:
        return "none"
    seconds = (due - timezone.now()).total_seconds()
    return "overdue" if seconds < 0 else "soon" if seconds < 3600 else "ok"


@register.filter
def age(moment: dt.datetime | None) -> str:
    """How long ago, in its largest unit: '3d', '5h', '12m'."""
    if moment is None:
        return "—"
    return _span((timezone.now() - moment).total_seconds()).split(" ")[0]


@register.filter
def money(value: Decimal | float | None) -> str:
    if value is None:
        return "—"
    return f"${value:,.0f}"


@register.filter
def percent(value: float | None, digits: int = 0) -> str:
    if value is None:
        return "—"
    return f"{value * 100:.{digits}f}%"
