"""Signing in with an e-mail address: customers know their e-mail, not a username."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import AbstractBaseUser
from django.http import HttpRequest


class EmailBackend(ModelBackend):
    """Accepts the account's e-mail address in any letter case where the login form asks for it.

    Runs after Django's username backend, so staff keep signing in with their username. When several
    accounts share an address (a staff member who is also a customer), the one whose password matches wins.
    """

    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs
    ) -> AbstractBaseUser | None:
        if not username or password is None or "@" not in username:
            return None
        users = list(get_user_model()._default_manager.filter(email__iexact=username.strip()).order_by("pk"))
        if not users:
            # The same work as a real check, so the answer's timing does not tell which addresses exist.
            get_user_model()().set_password(password)
            return None
        for user in users:
            if user.check_password(password) and self.user_can_authenticate(user):
                return user
        return None
