"""A small fixed-window limit for pages anyone can call (password reset, sign-up, suggestions).

Counts live in the cache (Redis in production, shared by every process). A limit that is reached
answers 429: a page for people, JSON under /api/.
"""

from __future__ import annotations

import hashlib
import time

from django.core.cache import cache
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def limit_reached(scope: str, key: str, *, limit: int, window: int) -> bool:
    """Count one request of `key` in `scope`; True once more than `limit` came in this window (seconds)."""
    if limit <= 0:
        return False
    slot = int(time.time() // window)
    digest = hashlib.sha256(key.lower().encode()).hexdigest()[:32]
    name = f"ratelimit:{scope}:{digest}:{slot}"
    if cache.add(name, 1, timeout=window + 5):
        return limit < 1
    try:
        count = cache.incr(name)
    except ValueError:  # expired between add and incr
        cache.add(name, 1, timeout=window + 5)
        count = 1
    return count > limit
