"""API rate limits (REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], read per request so tests can lower them):

- `anon`: unauthenticated requests, per client address;
- `user`: signed-in customers and agents, per account (session or token);
- `staff`: staff and integration accounts, per account (they create tickets for many customers);
- `bad_token`: wrong API tokens, per client address; past the limit even a right token waits, so
  tokens cannot be guessed at speed.

A throttled request gets DRF's 429 with a JSON body and a Retry-After header.
"""

from __future__ import annotations

from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication, get_authorization_header
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle

from helpdesk.abuse import windows
from helpdesk.abuse.clients import client_ip
from helpdesk.permissions import is_staff_account

ERR_TOO_MANY_BAD_TOKENS = "Too many invalid API tokens from your address. Try again in {seconds} seconds."


class LimitReached(exceptions.Throttled):
    """429 with our own message, which already says when to come back (DRF's would add a sentence)."""

    def __init__(self, *, wait: int, detail: str, code: str = "throttled") -> None:
        exceptions.APIException.__init__(self, detail, code)
        self.wait = wait


def rate_for(scope: str) -> windows.Rate | None:
    text = api_settings.DEFAULT_THROTTLE_RATES.get(scope)
    return windows.Rate.parse(text) if text else None


class ApiRateThrottle(BaseThrottle):
    """One fixed-window counter per account (or per address when anonymous)."""

    def allow_request(self, request, view) -> bool:
        user = request.user
        if user is not None and user.is_authenticated:
            scope, ident = ("staff" if is_staff_account(user) else "user"), f"user:{user.pk}"
        else:
            scope, ident = "anon", f"ip:{client_ip(request)}"
        rate = rate_for(scope)
        if rate is None:
            return True
        self.verdict = windows.hit(f"api-{scope}", ident, rate)
        return self.verdict.allowed

    def wait(self) -> float | None:
        return self.verdict.retry_after


class ThrottledTokenAuthentication(TokenAuthentication):
    """Token authentication that counts wrong tokens per client address and stops answering past the limit."""

    def authenticate(self, request):
        offered = get_authorization_header(request).split()
        if not offered or offered[0].lower() != self.keyword.lower().encode():
            return None  # no token offered: the session (or nobody) authenticates
        rate = rate_for("bad_token")
        ident = f"ip:{client_ip(request)}"
        if rate is not None:
            verdict = windows.peek("bad-token", ident, rate)
            if not verdict.allowed:
                raise LimitReached(
                    wait=verdict.retry_after,
                    detail=ERR_TOO_MANY_BAD_TOKENS.format(seconds=verdict.retry_after),
                )
        try:
            return super().authenticate(request)
        except exceptions.AuthenticationFailed:
            if rate is not None:
                windows.hit("bad-token", ident, rate)
            raise
