"""Customers: found by e-mail, created on first contact."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from helpdesk.models import Customer, Organization


def customer_get_or_create(*, email: str, name: str = "", organization_name: str = "") -> AbstractBaseUser:
    """Return the user with this e-mail, creating a customer login (no usable password) if needed.

    A new customer joins the named organization, or one named after their e-mail domain; missing
    organizations are created. An existing user keeps their organization. Safe when two requests create
    the same new customer at once: get_or_create falls back to reading the row the other one inserted.
    """
    User = get_user_model()
    email = email.strip().lower()
    returning = (
        Customer.objects.filter(user__email__iexact=email)
        .select_related("user", "organization")
        .order_by("user_id")
        .first()
    )
    if returning is not None:
        return returning.user  # the usual case: one query, no transaction; user.customer is loaded with it
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
            Customer.objects.get_or_create(user=user, defaults={"organization": organization})
    return user
