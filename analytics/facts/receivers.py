"""Signal receivers of the day facts (wired in AnalyticsConfig.ready)."""

from __future__ import annotations

from analytics.facts import store


def ticket_deleted(sender, instance, **kwargs) -> None:
    store.ticket_deleted(instance)
