"""Several GROUP BYs over the same rows, in one statement.

A page often counts one set of rows (the range's escalation events joined to their tickets, say) by
several dimensions, with distinct-ticket counts that cannot be summed up from one finer grouping.
Selecting those rows is most of each query's cost (at 1M tickets, a join with the range's ~250,000
tickets: ~100 ms), so `grouped` selects them once, as a materialized common table expression, and
each grouping aggregates that:

    WITH source AS MATERIALIZED (<the queryset's SQL>)
    SELECT 0, <keys of grouping 0>, <measures of grouping 0> FROM source GROUP BY ...
    UNION ALL SELECT 1, ...

Runs on PostgreSQL and on SQLite (3.35 or newer: MATERIALIZED, FILTER on aggregates).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import connections
from django.db.models import QuerySet


@dataclass(frozen=True)
class Grouping:
    """One GROUP BY over the source's columns.

    `measures`: output name -> an aggregate over the source's columns, in SQL (constants of the metric
    modules, never user input); `where` narrows the source rows first (with `params` for its %s).
    """

    keys: tuple[str, ...]
    measures: dict[str, str]
    where: str = ""
    params: tuple[Any, ...] = field(default=())


def grouped(source: QuerySet, groupings: dict[str, Grouping]) -> dict[str, list[dict[str, Any]]]:
    """Rows of each grouping (keys and measures, by name), all from one pass over `source`.

    `source` is a `.values(...)` queryset; its column names are what the groupings refer to.
    """
    if not groupings:
        return {}
    names = list(groupings)
    key_columns = _union(g.keys for g in groupings.values())
    measure_columns = _union(g.measures for g in groupings.values())
    measures = {m: sql for g in groupings.values() for m, sql in g.measures.items()}
    selects, params = [], []
    for index, name in enumerate(names):
        grouping = groupings[name]
        columns = [str(index)]
        columns += [
            _quote(c) if c in grouping.keys else _null_like(_quote(c), aggregate=True) for c in key_columns
        ]
        columns += [grouping.measures.get(m) or _null_like(measures[m]) for m in measure_columns]
        sql = f"SELECT {', '.join(columns)} FROM grouped_source"
        if grouping.where:
            sql += f" WHERE {grouping.where}"
            params += grouping.params
        sql += f" GROUP BY {', '.join(_quote(k) for k in grouping.keys)}" if grouping.keys else ""
        selects.append(sql)
    source = source.order_by()  # a model's default ordering would sort rows that are grouped anyway
    compiler = source.query.get_compiler(using=source.db)
    source_sql, source_params = compiler.as_sql()
    # One grouping: let the database fold the source into the query (PostgreSQL inlines a CTE that is
    # neither materialized nor used twice), so it can aggregate in its parallel workers.
    materialized = "MATERIALIZED " if len(selects) > 1 else ""
    sql = f"WITH grouped_source AS {materialized}({source_sql}) " + " UNION ALL ".join(selects)
    result: dict[str, list[dict[str, Any]]] = {name: [] for name in names}
    with connections[source.db].cursor() as cursor:
        cursor.execute(sql, (*source_params, *params))
        for row in cursor.fetchall():
            name = names[row[0]]
            grouping = groupings[name]
            keys = dict(zip(key_columns, row[1 : 1 + len(key_columns)], strict=True))
            measures = dict(zip(measure_columns, row[1 + len(key_columns) :], strict=True))
            result[name].append(
                {**{k: keys[k] for k in grouping.keys}, **{m: measures[m] for m in grouping.measures}}
            )
    return result


def _union(parts: Iterable[Iterable[str]]) -> list[str]:
    """The names in order of first appearance, each once."""
    seen: dict[str, None] = {}
    for part in parts:
        seen.update(dict.fromkeys(part))
    return list(seen)


def _null_like(expression: str, *, aggregate: bool = False) -> str:
    """NULL of the expression's type. A bare NULL in every branch but one makes PostgreSQL type the
    column as text while it matches the branches up, and then refuse the one that is a number."""
    null = f"CASE WHEN 1 = 0 THEN {expression} END"
    return f"MIN({null})" if aggregate else null


def _quote(column: str) -> str:
    return '"' + column.replace('"', '""') + '"'
