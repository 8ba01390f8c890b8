"""What a failed request answers: JSON under /api/, a page elsewhere, and 503 while the database is away.

Django calls these for errors no view handled itself (ROOT_URLCONF's handler400/403/404/500). The 500
handler looks at the exception being handled: a database that cannot be reached is not a bug in the
request but a passing outage, so it answers 503 with a Retry-After, and the next request after the
database returns works again (connections are health-checked before reuse).
"""

from __future__ import annotations

import sys

from django.core.exceptions import RequestDataTooBig
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.views import defaults

API_PREFIX = "/api/"
RETRY_AFTER_SECONDS = 30
MSG_BAD_REQUEST = "The request could not be read."
MSG_TOO_LARGE = "The request body is too large."
MSG_FORBIDDEN = "You do not have permission to perform this action."
MSG_NOT_FOUND = "Not found."
MSG_SERVER_ERROR = "A server error occurred. It has been logged."
MSG_UNAVAILABLE = "The service is briefly unavailable (the database cannot be reached). Try again shortly."


def is_api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def database_is_away(exc: BaseException | None) -> bool:
    """An error meaning the database cannot be reached, as opposed to a query that is wrong."""
    if isinstance(exc, InterfaceError):
        return True
    if isinstance(exc, OperationalError):
        text = str(exc).lower()
        wrong_query = ("no such table", "no such column", "syntax error")
        return not any(phrase in text for phrase in wrong_query)
    return isinstance(exc, DatabaseError) and "connection" in str(exc).lower()


def _plain_page(template_name: str, status: int) -> HttpResponse:
    """A page rendered without the request: no context processor may touch the database here."""
    return HttpResponse(loader.get_template(template_name).render(), status=status)


def unavailable(request: HttpRequest) -> HttpResponse:
    if is_api(request):
        response: HttpResponse = JsonResponse({"detail": MSG_UNAVAILABLE}, status=503)
    else:
        response = _plain_page("503.html", 503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    too_large = isinstance(exception, RequestDataTooBig)
    if is_api(request):
        return JsonResponse(
            {"detail": MSG_TOO_LARGE if too_large else MSG_BAD_REQUEST}, status=413 if too_large else 400
        )
    if too_large:
        return _plain_page("413.html", 413)
    return defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api(request):
        return JsonResponse({"detail": MSG_FORBIDDEN}, status=403)
    return defaults.permission_denied(request, exception)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api(request):
        return JsonResponse({"detail": MSG_NOT_FOUND}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    # Django calls this while handling the exception, so it is still the current one.
    if database_is_away(sys.exc_info()[1]):
        return unavailable(request)
    if is_api(request):
        return JsonResponse({"detail": MSG_SERVER_ERROR}, status=500)
    return _plain_page("500.html", 500)
