"""Creating a ticket once per idempotency key, however often and however concurrently it is asked."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone

from helpdesk.models import IdempotencyKey, Ticket

KEY_LIFETIME = dt.timedelta(hours=24)
KEY_MAX_LENGTH = 255
ERR_KEY_FORMAT = f"Use up to {KEY_MAX_LENGTH} visible ASCII characters (a UUID is a good key)."
ERR_KEY_REUSED = "This key was already used for a different request. Use a new key for a new ticket."


class KeyReused(Exception):
    """The same key came with a different request body."""


def idempotency_key_valid(key: str) -> bool:
    return 0 < len(key) <= KEY_MAX_LENGTH and all(33 <= ord(c) <= 126 for c in key)


def request_fingerprint(data: object) -> str:
    """A stable digest of a request body (JSON object or form fields)."""
    if hasattr(data, "lists"):  # form data: every value of every field
        data = {k: v for k, v in data.lists()}
    text = json.dumps(data, sort_keys=True, default=str, ensure_ascii=True)
    return hashlib.sha256(text.encode()).hexdigest()


def ticket_create_once(
    *, user: AbstractBaseUser, key: str, fingerprint: str, create: Callable[[], Ticket]
) -> tuple[Ticket, bool]:
    """The ticket made for this key: (ticket, True) when `create` made it now, (ticket, False) when an
    earlier request with the same key and body made it. Raises KeyReused for the same key with another
    body. A key is remembered for KEY_LIFETIME.

    A concurrent request with the same key waits on the key's unique index until the first one commits
    (PostgreSQL), or on the database's write lock (SQLite), and then finds its ticket.
    """
    with transaction.atomic():
        IdempotencyKey.objects.filter(
            user=user, key=key, created_at__lt=timezone.now() - KEY_LIFETIME
        ).delete()
        try:
            with transaction.atomic():
                record = IdempotencyKey.objects.create(user=user, key=key, fingerprint=fingerprint)
        except IntegrityError:
            record = None
        if record is not None:
            ticket = create()
            record.ticket = ticket
            record.save(update_fields=["ticket"])
            return ticket, True
    earlier = IdempotencyKey.objects.select_related("ticket").get(user=user, key=key)
    if earlier.fingerprint != fingerprint:
        raise KeyReused(ERR_KEY_REUSED)
    return earlier.ticket, False
