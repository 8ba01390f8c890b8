"""Admin-edited tables the hot paths read on every call, kept per process for a few seconds.

A value lives for settings.ESCALATION_POLICY_TTL seconds (5; tests set 0) and is dropped at once when
this process saves one of the tables it is built from (receivers connect `forget`), so an admin edit
reaches other processes within seconds without a query per ticket.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from django.conf import settings

T = TypeVar("T")


class ProcessCache(Generic[T]):
    """`build(*key)` cached per key; `get(..., usable=...)` may also reject a cached value as outdated."""

    def __init__(self, build: Callable[..., T]) -> None:
        self.build = build
        self._entries: dict[tuple[Hashable, ...], tuple[float, T]] = {}

    def get(self, *key: Hashable, usable: Callable[[T], bool] | None = None) -> T:
        ttl = settings.ESCALATION_POLICY_TTL
        entry = self._entries.get(key)
        if entry is not None and time.monotonic() - entry[0] < ttl and (usable is None or usable(entry[1])):
            return entry[1]
        value = self.build(*key)
        self._entries[key] = (time.monotonic(), value)
        return value

    def forget(self, **signal_kwargs) -> None:
        self._entries.clear()
