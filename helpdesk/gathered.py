"""Writes gathered into one statement per table, for code that writes many rows in one transaction.

The SLA sweep records hundreds of events, notifications and live events per batch. One INSERT each is
one round trip and one pass through the ORM (~0.9 ms here); one `bulk_create` per table is a few ms for
all of them. Inside `gathered_writes()`, `insert(obj, then)` queues the object and its follow-up
(what needs the new row's id: the live event naming it, the signal announcing it); when the block
ends, still inside the caller's transaction, each table's queue is written with one bulk_create and
the follow-ups run. Follow-ups may queue more rows (an event's live event): those are written in the
next round. `update(obj, fields)` likewise gathers changes of rows that exist (one UPDATE per table and
set of fields, helpdesk.bulk). Outside the block, `insert` and `update` save at once (and the follow-up
runs straight away), so callers are written one way.

Rows queued in the block are not in the database until it ends: use it only where nothing in the block
reads back what it wrote, and with one instance per row (the sweep fires each ticket's triggers once, on
the instance it locked, and reads nothing back).
"""

from __future__ import annotations

import contextvars
import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import models

from helpdesk.blocks import outermost
from helpdesk.bulk import bulk_set

FollowUp = Callable[[], None] | None


class _Queue:
    def __init__(self) -> None:
        self.rows: dict[type[models.Model], list[tuple[models.Model, FollowUp]]] = {}
        # (model, fields) -> the instances to write, once each: their values are read at the flush
        self.changes: dict[tuple[type[models.Model], tuple[str, ...]], dict[int, models.Model]] = {}

    def add(self, obj: models.Model, then: FollowUp) -> None:
        if then is not None:
            # The follow-up runs later but sees the context of now (e.g. "the sweep keeps this
            # ticket's SLA state", which decides whether an event asks for an SLA sync).
            then = functools.partial(contextvars.copy_context().run, then)
        self.rows.setdefault(type(obj), []).append((obj, then))

    def change(self, obj: models.Model, fields: tuple[str, ...]) -> None:
        self.changes.setdefault((type(obj), fields), {})[id(obj)] = obj

    def flush(self) -> None:
        while self.rows or self.changes:
            rounds, self.rows = self.rows, {}
            changes, self.changes = self.changes, {}
            for (_, fields), objects in changes.items():
                bulk_set(list(objects.values()), fields)
            for model, queued in rounds.items():
                model._base_manager.bulk_create([obj for obj, _ in queued])
                for _, then in queued:
                    if then is not None:
                        then()


_queue: ContextVar[_Queue | None] = ContextVar("gathered_writes", default=None)


def insert(obj: models.Model, then: FollowUp = None) -> models.Model:
    """Insert `obj` now, or at the end of the surrounding gathered_writes() block; then `then()`."""
    queue = _queue.get()
    if queue is None:
        obj.save(force_insert=True)
        if then is not None:
            then()
    else:
        queue.add(obj, then)
    return obj


def update(obj: models.Model, fields: list[str] | tuple[str, ...]) -> None:
    """Write `fields` of the saved `obj` now (save(update_fields=...)), or at the end of the block.
    Fields with auto_now (updated_at) get the time now, as save() would give them."""
    queue = _queue.get()
    if queue is None:
        obj.save(update_fields=list(fields))
        return
    for field in obj._meta.concrete_fields:
        if field.name in fields and getattr(field, "auto_now", False):
            field.pre_save(obj, add=False)
    queue.change(obj, tuple(fields))


def write_now() -> None:
    """Write what the surrounding block gathered so far, for code about to read back what it wrote
    (routing a batch hands a ticket to automation, which reads and writes on its own). Outside a block
    everything is written already."""
    queue = _queue.get()
    if queue is not None:
        queue.flush()


@contextmanager
def gathered_writes() -> Iterator[None]:
    """Gather the block's `insert` and `update` calls into one statement per table (and set of fields),
    written when the block ends without error. Call it inside a transaction; nested blocks join the outer one."""
    with outermost(_queue, _Queue) as queue:
        yield
        if queue is not None:
            queue.flush()  # still inside: follow-ups may queue more rows
