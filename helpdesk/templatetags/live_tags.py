"""Template helpers for live pages: where a page starts listening, and sort keys for live rows."""

from __future__ import annotations

import datetime as dt

from django import template

from helpdesk.live import latest_event_id

register = template.Library()


@register.simple_tag
def live_cursor() -> int:
    """The newest outbox id when the page is rendered: the socket replays everything after it."""
    return latest_event_id()


@register.filter
def epoch_ms(moment: dt.datetime | None) -> str:
    """A datetime as milliseconds since 1970 (empty when missing), for comparisons in live.js."""
    return "" if moment is None else str(int(moment.timestamp() * 1000))
