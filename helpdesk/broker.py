"""The django-q2 broker, one per process.

django-q2's `async_task` builds a new broker for every call, and the Redis broker opens a new
connection with it (a few milliseconds on every ticket created). One broker per process and queue
is reused instead (the project uses one queue); redis-py's pool reconnects by itself after a fork or
a dropped connection.
"""

from __future__ import annotations

from functools import cache

from django_q.brokers import Broker, get_broker
from django_q.tasks import async_task


@cache
def _broker() -> Broker:
    return get_broker()


def send(func: str, *args, **kwargs) -> None:
    """Put `func(*args, **kwargs)` on the queue now (runs inline when Q_SYNC)."""
    async_task(func, *args, broker=_broker(), **kwargs)
