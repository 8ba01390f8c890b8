"""Aggregates over fact arrays, computed as the database computes them (docs/metrics.md)."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import numpy as np


def percentile(values: np.ndarray, fraction: float) -> float | None:
    """The continuous percentile of the values that are not NaN, interpolated as PostgreSQL's
    percentile_cont (and analytics.db.percentile_of) do; None when there are none."""
    values = values[~np.isnan(values)]
    if not len(values):
        return None
    position = (len(values) - 1) * fraction
    low, high = math.floor(position), math.ceil(position)
    nearest = np.partition(values, [low, high]) if high < len(values) else np.sort(values)
    if low == high:
        return float(nearest[low])
    return float(nearest[low] + (nearest[high] - nearest[low]) * (position - low))


def median(values: np.ndarray) -> float | None:
    return percentile(values, 0.5)


DENSE_KEYS = 4_000_000  # key combinations small enough for a lookup table (32 MB of int64)


def groups(*keys: np.ndarray) -> tuple[np.ndarray, list[tuple[int, ...]]]:
    """Rows grouped by one or more integer key columns: (each row's group number, each group's key
    values), groups in ascending key order."""
    if not keys or not len(keys[0]):
        return np.zeros(len(keys[0]) if keys else 0, dtype=np.int64), []
    combined = np.zeros(len(keys[0]), dtype=np.int64)
    radixes = []
    for key in keys:
        shifted = key.astype(np.int64) - int(key.min())
        radix = int(shifted.max()) + 1
        combined = combined * radix + shifted
        radixes.append((radix, int(key.min())))
    span = math.prod(radix for radix, _ in radixes)
    if span <= DENSE_KEYS:
        # Few possible keys (teams, tiers, hours of the week): a lookup table instead of a sort.
        present = np.bincount(combined, minlength=span) > 0
        unique, inverse = np.flatnonzero(present), (np.cumsum(present) - 1)[combined]
    else:
        unique, inverse = np.unique(combined, return_inverse=True)
    decoded = []
    for value in unique.tolist():
        parts = []
        for radix, low in reversed(radixes):
            parts.append(value % radix + low)
            value //= radix
        decoded.append(tuple(reversed(parts)))
    return inverse.reshape(-1), decoded


def count_by(group: np.ndarray, size: int, where: np.ndarray | None = None) -> np.ndarray:
    """Rows per group (only those `where` is true)."""
    weights = None if where is None else where.astype(np.int64)
    return np.bincount(group, weights=weights, minlength=size).astype(np.int64)


def distinct_by(
    group: np.ndarray, size: int, tickets: np.ndarray, where: np.ndarray | None = None
) -> np.ndarray:
    """Distinct tickets per group (among the rows `where` is true)."""
    if where is not None:
        group, tickets = group[where], tickets[where]
    if not len(group):
        return np.zeros(size, dtype=np.int64)
    # A ticket with one row counts once wherever it is; only tickets with several rows can repeat a
    # group, and only those need the (slow) search for distinct pairs.
    alone = np.bincount(tickets)[tickets] == 1
    counts = np.bincount(group[alone], minlength=size)
    radix = int(tickets.max()) + 1
    pairs = np.unique(group[~alone].astype(np.int64) * radix + tickets[~alone])
    return (counts + np.bincount(pairs // radix, minlength=size)).astype(np.int64)


def percentile_by(group: np.ndarray, size: int, values: np.ndarray, fraction: float) -> list[float | None]:
    """The percentile of the values in each group."""
    order = np.argsort(group, kind="stable")
    bounds = np.searchsorted(group[order], np.arange(size + 1))
    ordered = values[order]
    return [percentile(ordered[bounds[i] : bounds[i + 1]], fraction) for i in range(size)]


def ids(values: np.ndarray) -> list[Any]:
    """Stored ids back to Python: None for the "none" marker (-1)."""
    return [None if v < 0 else v for v in values.tolist()]


def looked_up(values: np.ndarray, mapping: dict[int, int], missing: int = -1) -> np.ndarray:
    """Each id replaced by what a small table maps it to (a tier's level, ...), as int64; `missing` for
    the "none" marker and for ids the table no longer has (a deleted row reads as NULL in SQL too)."""
    keys = np.array(sorted(mapping), dtype=np.int64)
    if not len(keys):
        return np.full(len(values), missing, dtype=np.int64)
    targets = np.array([mapping[k] for k in keys.tolist()], dtype=np.int64)
    at = np.searchsorted(keys, values).clip(0, len(keys) - 1)
    return np.where(keys[at] == values, targets[at], missing)


EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def moment(us: int) -> dt.datetime:
    """A stored time (microseconds since the epoch) as the aware UTC datetime the database returns."""
    return EPOCH + dt.timedelta(microseconds=us)


def latest(at_us: np.ndarray, ids: np.ndarray, count: int) -> np.ndarray:
    """Indexes of the `count` newest rows, newest first: by time, then by id among equal times (the
    SQL versions' ORDER BY created_at DESC, pk DESC LIMIT count)."""
    return np.lexsort((ids, at_us))[::-1][:count]
