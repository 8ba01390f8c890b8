"""API errors: every bad input is a 4xx with field messages, never a 500.

Services raise Django's ValidationError/PermissionDenied; this turns them into DRF responses, and makes
every 400 body a {field: [messages]} mapping.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions
from rest_framework.views import exception_handler as drf_exception_handler

from helpdesk.api.parsers import RequestTooLarge


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        detail = {
            ("non_field_errors" if field == "__all__" else field): messages
            for field, messages in detail.items()
        }
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, RequestDataTooBig):
        exc = RequestTooLarge()
    elif isinstance(exc, SuspiciousOperation):  # too many form fields, a broken multipart body
        exc = exceptions.ParseError("The request could not be read.")
    response = drf_exception_handler(exc, context)
    if (
        response is not None
        and isinstance(exc, exceptions.ValidationError)
        and isinstance(response.data, list)
    ):
        response.data = {"non_field_errors": response.data}
    elif response is not None and isinstance(exc, exceptions.ParseError):
        # An unreadable body is a 400 like any other: messages under non_field_errors.
        response.data = {"non_field_errors": [str(exc.detail)]}
    return response
