"""The worker keeps the day facts current (every minute: settings.SCHEDULES), so that a
report finds at most a minute of changes to read in first."""

from __future__ import annotations

from analytics.facts import store


def facts_refresh() -> int:
    """Read in every committed change; returns the number of days rebuilt."""
    return len(store.refresh())
