"""Limits for pages anyone can call (password reset, sign-up, article suggestions), on the same counters
and client address as the other abuse limits (helpdesk.abuse). A limit that is reached answers 429: a
page for people, JSON under /api/."""

from __future__ import annotations

from django.http import HttpRequest

from helpdesk.abuse.clients import client_ip
from helpdesk.abuse.windows import Rate, hit


def client_address(request: HttpRequest) -> str:
    return client_ip(request)


def limit_reached(scope: str, key: str, *, limit: int, window: int) -> bool:
    """Count one request of `key` in `scope`; True once more than `limit` came in this window (seconds)."""
    if limit <= 0:
        return False
    return not hit(f"customer-{scope}", key.lower(), Rate(limit, window)).allowed
