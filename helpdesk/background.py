"""Hand work to the django-q2 worker.

Inside a unit of work (helpdesk.unit_of_work) tasks leave together when the unit ends, as one broker
message that the worker unpacks (`run_together`): each broker message costs the request about as much
as an insert, and one change often hands on several tasks (a new ticket: routing and its SLA clock).
Follow-ups that take a list (`enqueue_each`) are merged there too: one call with every item of the
unit, so a change that records six events starts one SLA sync of its ticket, not six.
"""

from __future__ import annotations

import logging

from django.utils.module_loading import import_string

from helpdesk import broker
from helpdesk.unit_of_work import RUN_TOGETHER, Task, current, hand_on

__all__ = ["RUN_TOGETHER", "enqueue", "enqueue_each", "run_together"]

logger = logging.getLogger(__name__)


def enqueue(func: str, *args, **kwargs) -> None:
    """Queue `func(*args, **kwargs)` for the worker (runs inline when Q_SYNC); inside a unit of work it
    leaves with the unit's other tasks."""
    hand_on((func, args, kwargs))


def enqueue_each(func: str, item) -> None:
    """Queue `func([item])`; inside a unit of work the unit's items for the same `func` go in one call,
    in order, each once."""
    unit = current()
    if unit is None:
        broker.send(func, [item])
        return
    for queued_func, args, _ in unit.tasks:
        if queued_func == func:
            if item not in args[0]:
                args[0].append(item)
            return
    unit.tasks.append((func, ([item],), {}))


def run_together(tasks: list[Task]) -> None:
    """The worker's side: run each task in order. One that fails is queued again on its own, so it is
    retried and reported alone, and the others neither repeat nor wait for it."""
    for func, args, kwargs in tasks:
        try:
            import_string(func)(*args, **kwargs)
        except Exception:
            logger.exception("task %s failed inside a batch; queued again on its own", func)
            broker.send(func, *args, **kwargs)
