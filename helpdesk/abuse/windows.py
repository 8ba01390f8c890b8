"""Fixed-window counters in the cache: one atomic increment per event (Redis INCR with REDIS_URL)."""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

from django.core.cache import cache

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class Rate:
    limit: int
    seconds: int

    @classmethod
    def parse(cls, text: str) -> Rate:
        """'20/minute', '300/min', '5/h', '1000/day' (DRF's notation)."""
        count, _, period = text.partition("/")
        return cls(int(count), PERIODS[period.strip()[:1].lower()])


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    count: int
    retry_after: int  # seconds until the window closes


def _key(scope: str, ident: str, window: int) -> str:
    digest = hashlib.sha256(ident.encode()).hexdigest()[:32]  # any text, short and safe as a cache key
    return f"abuse:{scope}:{digest}:{window}"


def hit(scope: str, ident: str, rate: Rate) -> Verdict:
    """Count one event for `ident`; allowed while the window's count stays within the limit."""
    now = time.time()
    window = int(now // rate.seconds)
    key = _key(scope, ident, window)
    cache.add(key, 0, timeout=rate.seconds + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=rate.seconds + 1)
        count = 1
    retry_after = max(1, int((window + 1) * rate.seconds - now + 0.999))
    return Verdict(count <= rate.limit, count, retry_after)


def peek(scope: str, ident: str, rate: Rate) -> Verdict:
    """The window's count so far, without counting."""
    now = time.time()
    window = int(now // rate.seconds)
    count = cache.get(_key(scope, ident, window), 0)
    retry_after = max(1, int((window + 1) * rate.seconds - now + 0.999))
    return Verdict(count < rate.limit, count, retry_after)
