"""Entry points: send each user to their workspace; a health check for load balancers."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.views.decorators.cache import never_cache

from helpdesk.permissions import is_agent


@login_required
def home(request: HttpRequest) -> HttpResponse:
    staff = is_agent(request.user) or request.user.is_superuser  # superusers work as leads
    return redirect("agent:queue" if staff else "portal:home")


@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """200 when the database answers, 503 otherwise."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})
