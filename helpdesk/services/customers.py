"""Customers: found by e-mail, created on first contact.

Every API ticket looks its customer up by e-mail: a join of three tables whose compilation alone costs
more than the ticket's insert. With a cache all processes share (settings.CUSTOMER_CACHE_SECONDS), each
web process keeps the returning customers it looked up, stamped with the current generation: a number in
the shared cache that every saved or deleted user, customer or organization moves on once its
transaction commits. A stamp from an older generation is a miss. The process that made a change sees it
at once; the others read the generation again at most GENERATION_RECHECK_SECONDS later (a round trip
to the cache would cost half of what the lookup saves). Logins, which save only `last_login`, change
nothing here.
"""

from __future__ import annotations

import time
from functools import cache

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import cache as shared_cache
from django.db import DEFAULT_DB_ALIAS, transaction
from django.db.models.signals import post_delete, post_save

from helpdesk.models import Customer, Organization
from helpdesk.services.invitations import customer_invite

GENERATION_KEY = "customers:generation"
GENERATION_RECHECK_SECONDS = 1.0
KEPT_AT_MOST = 10_000  # customers per process (about 3 MB); beyond that the process starts afresh
# What a ticket and its API answer read of the customer; other fields load on first access, if ever.
CACHED_FIELDS = {
    "user": ("id", "username", "email"),
    "customer": ("id", "user_id", "organization_id", "language"),
    "organization": ("id", "name", "segment"),
}


def customer_get_or_create(
    *, email: str, name: str = "", organization_name: str = "", invite: bool = False
) -> AbstractBaseUser:
    """Return the user with this e-mail, creating a customer login (no usable password) if needed.

    A new customer joins the named organization, or one named after their e-mail domain; missing
    organizations are created. An existing user keeps their organization. With `invite`, a customer
    created here is e-mailed a one-time link to set a password (helpdesk.services.invitations).
    Safe when two requests create the same new customer at once: get_or_create falls back to reading
    the row the other one inserted.
    """
    User = get_user_model()
    email = email.strip().lower()
    returning = _returning_customer(email)
    if returning is not None:
        return returning  # the usual case: one query or a cache hit; user.customer is loaded with it
    with transaction.atomic():
        user = User.objects.filter(email__iexact=email).order_by("pk").first()
        if user is None:
            first, _, last = name.strip().partition(" ")
            user, _ = User.objects.get_or_create(
                username=email[:150],
                defaults={
                    "email": email,
                    "first_name": first[:150],
                    "last_name": last[:150],
                    "password": make_password(None),
                },
            )
        if not hasattr(user, "customer") and not hasattr(user, "agent"):
            org_name = (organization_name or email.rpartition("@")[2] or "Individual customers").strip()[:200]
            organization, _ = Organization.objects.get_or_create(name=org_name)
            _, new_customer = Customer.objects.get_or_create(
                user=user, defaults={"organization": organization}
            )
            if invite and new_customer and not user.has_usable_password():
                customer_invite(user=user)
    return user


# This process's returning customers: e-mail -> (generation, kept until (monotonic), cached values).
_kept: dict[str, tuple[int, float, dict[str, tuple]]] = {}
_generation_read: list[tuple[float, int]] = []  # (when (monotonic), generation): the last read


def _returning_customer(email: str) -> AbstractBaseUser | None:
    seconds = settings.CUSTOMER_CACHE_SECONDS
    if not seconds:
        return _read_customer(email)
    generation, now = _generation(), time.monotonic()
    kept = _kept.get(email)
    if kept is not None and kept[0] == generation and kept[1] > now:
        return _user_from(kept[2])
    user = _read_customer(email)
    if user is not None and not transaction.get_connection().in_atomic_block:  # committed rows only
        if len(_kept) >= KEPT_AT_MOST:
            _kept.clear()
        _kept[email] = (generation, now + seconds, _cached_values(user))
    return user


def _generation() -> int:
    now = time.monotonic()
    if _generation_read and now - _generation_read[0][0] < GENERATION_RECHECK_SECONDS:
        return _generation_read[0][1]
    generation = shared_cache.get(GENERATION_KEY)
    if generation is None:  # never set, or evicted: a new one, which no kept stamp matches
        shared_cache.add(GENERATION_KEY, time.time_ns(), timeout=None)
        generation = shared_cache.get(GENERATION_KEY)  # ours, or another process's that came first
    _generation_read[:] = [(now, generation)]
    return generation


def _read_customer(email: str) -> AbstractBaseUser | None:
    returning = (
        Customer.objects.filter(user__email__iexact=email)
        .select_related("user", "organization")
        .order_by("user_id")
        .first()
    )
    return returning.user if returning is not None else None


@cache
def _loaded_fields(name: str, model) -> tuple[str, ...]:
    """The cached fields of this row, in the model's column order (as Model.from_db takes them)."""
    return tuple(
        field.attname for field in model._meta.concrete_fields if field.attname in CACHED_FIELDS[name]
    )


def _cached_values(user: AbstractBaseUser) -> dict[str, tuple]:
    rows = {"user": user, "customer": user.customer, "organization": user.customer.organization}
    return {
        name: tuple(getattr(row, field) for field in _loaded_fields(name, type(row)))
        for name, row in rows.items()
    }


def _user_from(values: dict[str, tuple]) -> AbstractBaseUser:
    """The user, its customer and organization as loaded from the database with only the cached fields
    (any other field is read on first access)."""
    models = {"user": get_user_model(), "customer": Customer, "organization": Organization}
    user, customer, organization = (
        model.from_db(DEFAULT_DB_ALIAS, _loaded_fields(name, model), values[name])
        for name, model in models.items()
    )
    customer.organization = organization
    user.customer = customer
    return user


def _next_generation() -> None:
    try:
        shared_cache.incr(GENERATION_KEY)
    except ValueError:  # not set yet, or evicted
        shared_cache.add(GENERATION_KEY, time.time_ns(), timeout=None)
    _generation_read.clear()  # this process sees its own change at once


def _customers_changed(sender, update_fields=None, **kwargs) -> None:
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return  # a login
    transaction.on_commit(_next_generation, robust=True)


def connect_cache_invalidation() -> None:
    """Connected by HelpdeskConfig.ready()."""
    for model in (get_user_model(), Customer, Organization):
        for signal in (post_save, post_delete):
            signal.connect(_customers_changed, sender=model, dispatch_uid=f"customers.{model.__name__}")
