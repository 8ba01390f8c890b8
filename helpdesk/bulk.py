"""Updating many rows, each with its own values, in one statement.

Django's `bulk_update` builds a CASE WHEN per row and field: for the sweep's 1,000 SLA states that cost
1.9 s of Python before the database saw anything (bench/sla.py). A VALUES list joined into one UPDATE
is one cheap statement on SQLite 3.33+ (older SQLite: one UPDATE per row); on PostgreSQL the rows go in
as one array per column (`UPDATE ... FROM unnest(...)`).
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
    columns = ", ".join(quote(name) for name in ["row_pk", *(f.column for f in fields)])
    assignments = ", ".join(f"{quote(f.column)} = v.{quote(f.column)}" for f in fields)
    where = f"{table}.{quote(pk.column)} = v.{quote('row_pk')}"
    if connection.vendor == "postgresql":
        # One array per column: a handful of parameters instead of one per value, which psycopg
        # would otherwise scan the whole statement for (a third of the sweep's time in bulk_set).
        arrays = ", ".join(f"%s::{f.db_type(connection)}[]" for f in [pk, *fields])
        sql = f"UPDATE {table} SET {assignments} FROM unnest({arrays}) AS v ({columns}) WHERE {where}"
        params = [[pk.get_db_prep_save(obj.pk, connection) for obj in objects]]
        params += [
            [f.get_db_prep_save(getattr(obj, f.attname), connection) for obj in objects] for f in fields
        ]
    else:
        row = "(" + ", ".join(["%s"] * (len(fields) + 1)) + ")"
        sql = f"WITH v ({columns}) AS (VALUES {', '.join([row] * len(objects))}) UPDATE {table} SET {assignments} FROM v WHERE {where}"
        params = []
        for obj in objects:
            params.append(pk.get_db_prep_save(obj.pk, connection))
            params += [f.get_db_prep_save(getattr(obj, f.attname), connection) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
