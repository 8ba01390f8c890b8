"""One unit of work: what a change gathers until its transaction commits.

A change that touches many rows (a routing batch, a batch of the SLA sweep, a new message) runs inside
`unit_of_work()`, which opens its transaction. Until the transaction commits the unit gathers:

- **writes**, when opened with `gather_writes=True`: `insert(obj, then)` queues a new row and its
  follow-up (what needs the row's id: the live event naming it, the signal announcing it), `update(obj,
  fields)` queues a change to an existing row. When the block ends, still inside the transaction, each
  table's queue is written with one statement (bulk_create, or one UPDATE per set of fields) and the
  follow-ups run; follow-ups may queue more rows, written in the next round. One INSERT per row costs a
  round trip and a pass through the ORM; a sweep batch records hundreds of events and notifications.
  Rows queued are not in the database until the block ends: gather only where nothing in the block reads
  back what it wrote (or call `write_now()` first), and with one instance per row.
- **tasks** for the worker (helpdesk.background): they leave as one broker message when the unit ends,
  and follow-ups that take a list (`enqueue_each`) are merged, so six events of one ticket start one SLA
  sync, not six.
- **notification e-mails**: one e-mail task for all the unit's notifications, after commit.
- **tickets whose SLA state the unit keeps itself** (the SLA sweep, while it fires a ticket's triggers):
  their events start no SLA sync (escalation.sla.state.needs_sync).

Outside a unit every write goes to the database at once, every task to the broker at once, every e-mail
in a task of its own: services are written one way and work in both. A unit opened inside another joins
the outer one (its block is a savepoint of the outer transaction).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.db import models, transaction

from helpdesk import broker
from helpdesk.bulk import bulk_set

FollowUp = Callable[[], None] | None
Task = tuple[str, tuple, dict]


@dataclass
class Writes:
    """Rows to insert (with their follow-ups) and changes to write, one statement per table."""

    rows: dict[type[models.Model], list[tuple[models.Model, FollowUp]]] = field(default_factory=dict)
    # (model, fields) -> the instances to write, once each: their values are read at the flush
    changes: dict[tuple[type[models.Model], tuple[str, ...]], dict[int, models.Model]] = field(
        default_factory=dict
    )

    def add(self, obj: models.Model, then: FollowUp) -> None:
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


@dataclass
class UnitOfWork:
    writes: Writes | None = None  # None: this unit writes directly
    tasks: list[Task] = field(default_factory=list)
    emails: list[int] = field(default_factory=list)  # notification ids
    emails_open: bool = True  # False once the e-mail task is handed to the commit
    sla_kept: set[int] = field(default_factory=set)  # ticket ids

    def keep_sla_state(self, ticket_id: int) -> None:
        """This unit keeps the ticket's SLA state itself: its events need no SLA sync."""
        self.sla_kept.add(ticket_id)


_current: ContextVar[UnitOfWork | None] = ContextVar("unit_of_work", default=None)


def current() -> UnitOfWork | None:
    """The unit of work the code runs in, or None."""
    return _current.get()


@contextmanager
def unit_of_work(*, gather_writes: bool = False) -> Iterator[UnitOfWork]:
    """Run the block as one unit of work in one transaction (see the module docstring). Nested inside
    another unit, the block joins it: a savepoint, with the outer unit's writes, tasks and e-mails."""
    outer = _current.get()
    if outer is not None:
        with transaction.atomic():
            yield outer
        return
    unit = UnitOfWork(writes=Writes() if gather_writes else None)
    token = _current.set(unit)
    try:
        with transaction.atomic():
            yield unit
            if unit.writes is not None:
                unit.writes.flush()  # still inside: follow-ups may notify, queue e-mails and tasks
            _hand_emails_to_commit(unit)
        # Committed here: the on-commit hooks ran, and the tasks they enqueued joined the unit.
    finally:
        _current.reset(token)
        _send_tasks(unit)  # sent even when the block fails: its tasks belong to what already committed


def _hand_emails_to_commit(unit: UnitOfWork) -> None:
    unit.emails_open = False
    if unit.emails:
        ids = list(unit.emails)
        transaction.on_commit(lambda: hand_on((EMAIL_TASK, (ids,), {})))


def _send_tasks(unit: UnitOfWork) -> None:
    if unit.tasks:
        func, args, kwargs = unit.tasks[0] if len(unit.tasks) == 1 else (RUN_TOGETHER, (unit.tasks,), {})
        broker.send(func, *args, **kwargs)


def hand_on(task: Task) -> None:
    """Give a task to the worker: with the surrounding unit's tasks when it ends, or now."""
    unit = _current.get()
    if unit is not None:
        unit.tasks.append(task)
    else:
        func, args, kwargs = task
        broker.send(func, *args, **kwargs)


EMAIL_TASK = "helpdesk.notifications.email_notifications"
RUN_TOGETHER = "helpdesk.background.run_together"


def insert(obj: models.Model, then: FollowUp = None) -> models.Model:
    """Insert `obj` now, or when the surrounding unit's gathered writes are written; then `then()`."""
    unit = _current.get()
    if unit is None or unit.writes is None:
        obj.save(force_insert=True)
        if then is not None:
            then()
    else:
        unit.writes.add(obj, then)
    return obj


def update(obj: models.Model, fields: list[str] | tuple[str, ...]) -> None:
    """Write `fields` of the saved `obj` now (save(update_fields=...)), or with the unit's gathered writes.
    Fields with auto_now (updated_at) get the time now, as save() would give them."""
    unit = _current.get()
    if unit is None or unit.writes is None:
        obj.save(update_fields=list(fields))
        return
    for model_field in obj._meta.concrete_fields:
        if model_field.name in fields and getattr(model_field, "auto_now", False):
            model_field.pre_save(obj, add=False)
    unit.writes.change(obj, tuple(fields))


def write_now() -> None:
    """Write what the surrounding unit gathered so far, for code about to read back what it wrote
    (routing a batch hands a ticket to automation, which reads and writes on its own)."""
    unit = _current.get()
    if unit is not None and unit.writes is not None:
        unit.writes.flush()


def email_later(notification_id: int) -> None:
    """E-mail this notification after commit: with the unit's other e-mails in one task, or on its own."""
    unit = _current.get()
    if unit is not None and unit.emails_open:
        unit.emails.append(notification_id)
    else:
        transaction.on_commit(lambda: hand_on((EMAIL_TASK, ([notification_id],), {})))


def sla_kept_by_unit(ticket_id: int) -> bool:
    """Whether the surrounding unit keeps this ticket's SLA state itself (the SLA sweep)."""
    unit = _current.get()
    return unit is not None and ticket_id in unit.sla_kept
