"""Updating many rows, each with its own values, in one statement.

Django's `bulk_update` builds a CASE WHEN per row and field: for the sweep's 1,000 SLA states that cost
1.9 s of Python before the database saw anything (bench/sla.py). A VALUES list joined into one UPDATE
is one cheap statement on PostgreSQL and on SQLite 3.33+ (older SQLite: one UPDATE per row).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from django.db import connection
from django.db.models import Model

UPDATE_FROM_SQLITE = (3, 33, 0)


def bulk_set(objects: Sequence[Model], field_names: Sequence[str]) -> None:
    """Write `field_names` of each object to its row (objects of one model, already saved)."""
    if not objects:
        return
    model = type(objects[0])
    meta = model._meta
    fields = [meta.get_field(name) for name in field_names]
    if connection.vendor == "sqlite" and sqlite3.sqlite_version_info < UPDATE_FROM_SQLITE:
        for obj in objects:
            model._base_manager.filter(pk=obj.pk).update(
                **{f.attname: getattr(obj, f.attname) for f in fields}
            )
        return
    quote = connection.ops.quote_name
    table, pk = quote(meta.db_table), meta.pk

    def slot(field) -> str:  # PostgreSQL cannot guess the type of a NULL in a VALUES list
        return f"CAST(%s AS {field.db_type(connection)})" if connection.vendor == "postgresql" else "%s"

    row = "(" + ", ".join(slot(field) for field in [pk, *fields]) + ")"
    columns = ", ".join(quote(name) for name in ["row_pk", *(f.column for f in fields)])
    assignments = ", ".join(f"{quote(f.column)} = v.{quote(f.column)}" for f in fields)
    sql = (
        f"WITH v ({columns}) AS (VALUES {', '.join([row] * len(objects))}) "
        f"UPDATE {table} SET {assignments} FROM v WHERE {table}.{quote(pk.column)} = v.{quote('row_pk')}"
    )
    params = []
    for obj in objects:
        params.append(pk.get_db_prep_save(obj.pk, connection))
        params += [f.get_db_prep_save(getattr(obj, f.attname), connection) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
