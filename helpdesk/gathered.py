"""Inserts gathered into one bulk insert per table, for code that writes many rows in one transaction.

The SLA sweep records hundreds of events, notifications and live events per batch. One INSERT each is
one round trip and one pass through the ORM (~0.9 ms here); one `bulk_create` per table is a few ms for
all of them. Inside `gathered_inserts()`, `insert(obj, then)` queues the object and its follow-up
(what needs the new row's id: the live event naming it, the signal announcing it); when the block
ends, still inside the caller's transaction, each table's queue is written with one bulk_create and
the follow-ups run. Follow-ups may queue more rows (an event's live event): those are written in the
next round. Outside the block, `insert` saves at once and runs the follow-up straight away, so callers
are written one way.

Rows queued in the block are not in the database until it ends: use it only where nothing in the block
reads back what it wrote (the sweep fires each ticket's triggers once and reads only ticket rows).
"""

from __future__ import annotations

import contextvars
import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import models

FollowUp = Callable[[], None] | None


class _Queue:
    def __init__(self) -> None:
        self.rows: dict[type[models.Model], list[tuple[models.Model, FollowUp]]] = {}

    def add(self, obj: models.Model, then: FollowUp) -> None:
        if then is not None:
            # The follow-up runs later but sees the context of now (e.g. "the sweep keeps this
            # ticket's SLA state", which decides whether an event asks for an SLA sync).
            then = functools.partial(contextvars.copy_context().run, then)
        self.rows.setdefault(type(obj), []).append((obj, then))

    def flush(self) -> None:
        while self.rows:
            rounds, self.rows = self.rows, {}
            for model, queued in rounds.items():
                model._base_manager.bulk_create([obj for obj, _ in queued])
                for _, then in queued:
                    if then is not None:
                        then()


_queue: ContextVar[_Queue | None] = ContextVar("gathered_inserts", default=None)


def insert(obj: models.Model, then: FollowUp = None) -> models.Model:
    """Insert `obj` now, or at the end of the surrounding gathered_inserts() block; then `then()`."""
    queue = _queue.get()
    if queue is None:
        obj.save(force_insert=True)
        if then is not None:
            then()
    else:
        queue.add(obj, then)
    return obj


@contextmanager
def gathered_inserts() -> Iterator[None]:
    """Gather the block's `insert` calls into bulk inserts, written when the block ends without error.
    Call it inside a transaction; nested blocks join the outer one."""
    if _queue.get() is not None:
        yield
        return
    queue = _Queue()
    token = _queue.set(queue)
    try:
        yield
        queue.flush()
    finally:
        _queue.reset(token)
