"""Hand work to the django-q2 worker.

django-q2's `async_task` builds a new broker for every call, and the Redis broker opens a new
connection with it (a few milliseconds on every ticket created). One broker per process and queue
is reused instead (the project uses one queue); redis-py's pool reconnects by itself after a fork or
a dropped connection.

One change often hands on several tasks (a new ticket: routing and its SLA clock). Inside
`tasks_sent_together()` they travel to the broker as one message, which the worker unpacks
(`run_together`); each broker message costs the request about as much as an insert. Follow-ups that
take a list (`enqueue_each`) are merged there too: one call with every item of the block, so a change
that records six events starts one SLA sync of its ticket, not six.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache

from django.utils.module_loading import import_string
from django_q.brokers import Broker, get_broker
from django_q.tasks import async_task

from helpdesk.blocks import outermost

logger = logging.getLogger(__name__)

Task = tuple[str, tuple, dict]
RUN_TOGETHER = "helpdesk.background.run_together"

_together: ContextVar[list[Task] | None] = ContextVar("tasks_sent_together", default=None)


@cache
def _broker() -> Broker:
    return get_broker()


def enqueue(func: str, *args, **kwargs) -> None:
    """Queue `func(*args, **kwargs)` for the worker (runs inline when Q_SYNC); inside
    `tasks_sent_together()` it leaves with the block's other tasks."""
    gathered = _together.get()
    if gathered is not None:
        gathered.append((func, args, kwargs))
    else:
        async_task(func, *args, broker=_broker(), **kwargs)


def enqueue_each(func: str, item) -> None:
    """Queue `func([item])`; inside `tasks_sent_together()` the block's items for the same `func` go
    in one call, in order, each once."""
    gathered = _together.get()
    if gathered is None:
        async_task(func, [item], broker=_broker())
        return
    for queued_func, args, _ in gathered:
        if queued_func == func:
            if item not in args[0]:
                args[0].append(item)
            return
    gathered.append((func, ([item],), {}))


@contextmanager
def tasks_sent_together() -> Iterator[None]:
    """Send the tasks enqueued inside the block as one broker message when it ends. Wrap a whole
    transaction, so the tasks its on_commit hooks enqueue are in. Nested blocks join the outer one."""
    gathered: list[Task] | None = None
    try:
        with outermost(_together, list) as gathered:
            yield
    finally:  # sent even when the block fails: its tasks belong to what already committed
        if gathered:
            func, args, kwargs = gathered[0] if len(gathered) == 1 else (RUN_TOGETHER, (gathered,), {})
            enqueue(func, *args, **kwargs)


def run_together(tasks: list[Task]) -> None:
    """The worker's side: run each task in order. One that fails is queued again on its own, so it is
    retried and reported alone, and the others neither repeat nor wait for it."""
    for func, args, kwargs in tasks:
        try:
            import_string(func)(*args, **kwargs)
        except Exception:
            logger.exception("task %s failed inside a batch; queued again on its own", func)
            enqueue(func, *args, **kwargs)
