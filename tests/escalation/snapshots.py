"""Plain ticket snapshots for table tests of rules and factors (no database needed)."""

from __future__ import annotations

import datetime as dt

from escalation.routing.snapshot import TicketSnapshot

NOW = dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.UTC)


def snap(**facts) -> TicketSnapshot:
    """A snapshot of an ordinary new ticket, with the given facts changed."""
    base = {
        "now": NOW,
        "text": "",
        "channel": "portal",
        "priority": "normal",
        "language": "en",
        "created_at": NOW,
    }
    return TicketSnapshot(**{**base, **facts})
