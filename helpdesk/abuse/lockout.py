"""What a locked-out sign-in gets (django-axes calls this): 429 with Retry-After, a page that says what
happened and when to try again, or JSON for API clients."""

from __future__ import annotations

import math

from axes.helpers import get_cool_off
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

ERR_LOCKED_OUT = "Too many failed sign-ins. Try again in {minutes} minute(s), or reset your password."


def lockout_response(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    cool_off = get_cool_off(request)
    seconds = max(1, math.ceil(cool_off.total_seconds())) if cool_off else 3600
    minutes = math.ceil(seconds / 60)
    message = ERR_LOCKED_OUT.format(minutes=minutes)
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": message}, status=429)
    else:
        response = render(
            request, "registration/locked_out.html", {"message": message, "minutes": minutes}, status=429
        )
    response["Retry-After"] = str(seconds)
    return response
