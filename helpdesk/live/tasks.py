"""Background task (django-q2 schedule "live: prune outbox"): keep the live outbox small.

Rows older than the retention period can no longer be replayed; a browser that was away longer is told
to reload (replay.py).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from helpdesk.live import latest_event_id
from helpdesk.models import LiveEvent

DELETE_BATCH = 5000  # short write transactions, so SQLite writers in other processes never wait long


def live_outbox_prune(*, now: dt.datetime | None = None) -> int:
    """Delete outbox rows past the retention period (settings.LIVE_OUTBOX_RETENTION); returns how many.

    The newest row always stays, so the outbox keeps telling where its ids have got to: a page rendered
    on an otherwise empty outbox still gets a true cursor, and a gap before the oldest row means pruning.
    """
    retention = settings.LIVE_OUTBOX_RETENTION
    cutoff = (now or timezone.now()) - retention
    newest = latest_event_id()
    deleted = 0
    while True:
        old = LiveEvent.objects.filter(created_at__lt=cutoff, id__lt=newest).order_by("id")
        batch = list(old.values_list("id", flat=True)[:DELETE_BATCH])
        if not batch:
            return deleted
        deleted += LiveEvent.objects.filter(id__in=batch).delete()[0]
