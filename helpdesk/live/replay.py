"""Catching up after a reconnect: exactly the events a socket missed, in order, or "reload".

The browser sends the last event id it saw (the page carries the id it was rendered at). Everything
addressed to the user's groups after it is replayed from the outbox, oldest first, unless that is too
much — or cannot be known, because older rows were pruned or the outbox is newer than the page — in
which case the browser is told to reload what it shows.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

from helpdesk.live import event_message, latest_event_id
from helpdesk.models import LiveEvent

REPLAY_LIMIT = 200  # events for one user; more than this and a fresh page is quicker
SCAN_LIMIT = 5000  # outbox rows read to find them


@dataclass(frozen=True)
class Catchup:
    events: list[dict] = field(default_factory=list)
    reload: bool = False
    cursor: int = 0  # where the browser continues from


def missed_events(*, groups: Collection[str], after: int) -> Catchup:
    latest = latest_event_id()
    if after > latest:
        return Catchup(reload=True, cursor=latest)  # the outbox was reset: the page is from another life
    oldest = LiveEvent.objects.order_by("id").values_list("id", flat=True).first()
    if oldest is not None and after < oldest - 1:
        return Catchup(reload=True, cursor=latest)  # what was missed may have been pruned
    rows = list(
        LiveEvent.objects.filter(id__gt=after).order_by("id").values_list("id", "groups")[: SCAN_LIMIT + 1]
    )
    if len(rows) > SCAN_LIMIT:
        return Catchup(reload=True, cursor=latest)
    wanted = set(groups)
    mine = [event_id for event_id, audience in rows if wanted.intersection(audience)]
    if len(mine) > REPLAY_LIMIT:
        return Catchup(reload=True, cursor=latest)
    events = [event_message(row) for row in LiveEvent.objects.filter(id__in=mine).order_by("id")]
    return Catchup(events=events, cursor=rows[-1][0] if rows else after)
