"""The portal speaks the customer's language: their profile's when signed in, else the visitor's choice
(the language chooser's cookie) or the browser's (LocaleMiddleware)."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation

SUPPORTED = frozenset(code for code, _ in settings.LANGUAGES)


def supported_language(code: str | None) -> str | None:
    """The supported language for a code such as "de", "de-AT" or "DE"; None when we do not speak it."""
    if not code:
        return None
    code = code.lower().replace("_", "-")
    if code in SUPPORTED:
        return code
    base = code.split("-")[0]
    return base if base in SUPPORTED else None


def customer_language(user: object | None, ticket: object | None = None) -> str:
    """The language e-mails to a customer are written in, always one we speak: their profile's when they
    chose one; else the ticket's (settled at intake from what they wrote, escalation.triage.language);
    else the profile's; else the site's default. Every profile starts at the site's default, so that
    alone does not outvote a ticket written in German."""
    customer = getattr(user, "customer", None) if user is not None else None
    profile = supported_language(getattr(customer, "language", None))
    if profile and profile != settings.LANGUAGE_CODE:
        return profile
    return supported_language(getattr(ticket, "language", None)) or profile or settings.LANGUAGE_CODE


class CustomerLanguageMiddleware:
    """After authentication: a signed-in customer sees the portal in their profile's language."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            customer = getattr(user, "customer", None)
            language = supported_language(customer.language) if customer is not None else None
            if language:
                translation.activate(language)
                request.LANGUAGE_CODE = language
        return self.get_response(request)
