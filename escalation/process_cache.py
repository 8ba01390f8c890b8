"""Admin-edited tables the hot paths read on every call, kept per process for a few seconds.

A value lives for ESCALATION_POLICY_TTL seconds (default 5; tests set 0) and is dropped at once when
this process saves one of the tables it is built from (receivers connect `forget`), so an admin edit
reaches other processes within seconds without a query per ticket.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Generic, TypeVar

from django.conf import settings

T = TypeVar("T")


class ProcessCache(Generic[T]):
    def __init__(self, build: Callable[[], T]) -> None:
        self.build = build
        self._entry: tuple[float, T] | None = None

    def get(self) -> T:
        ttl = getattr(settings, "ESCALATION_POLICY_TTL", 5.0)
        entry = self._entry
        if entry is not None and time.monotonic() - entry[0] < ttl:
            return entry[1]
        value = self.build()
        self._entry = (time.monotonic(), value)
        return value

    def forget(self, **signal_kwargs) -> None:
        self._entry = None
