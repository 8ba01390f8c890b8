"""The agent's notifications: the list (unread first view), marking one or all read, e-mail opt-out."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from helpdesk.models import Notification
from helpdesk.selectors import unread_notifications
from helpdesk.services import (
    agent_set_email_notifications,
    notification_mark_read,
    notifications_mark_all_read,
)
from helpdesk.views.decorators import agent_required

PAGE_SIZE = 25
FILTERS = {"all": "All", "unread": "Unread"}


@agent_required
def notifications(request: HttpRequest) -> HttpResponse:
    show = request.GET.get("show") if request.GET.get("show") in FILTERS else "all"
    items = request.user.notifications.select_related("ticket")
    if show == "unread":
        items = items.filter(read_at__isnull=True)
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "show": show, "filters": FILTERS, "querystring": f"show={show}"}
    return render(request, "agent/notifications.html", context)


@agent_required
@require_POST
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
    notification_mark_read(notification=notification)
    if request.POST.get("open") and notification.ticket_id:
        return redirect("agent:ticket", pk=notification.ticket_id)
    if request.htmx:
        context = {"n": notification, "unread_count": unread_notifications(request.user).count()}
        return render(request, "agent/_notification_read.html", context)
    return redirect("agent:notifications")


@agent_required
@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    notifications_mark_all_read(user=request.user)
    if request.htmx:
        return render(request, "agent/_bell.html", {"unread_count": 0})
    return redirect("agent:notifications")


@agent_required
@require_POST
def email_preference(request: HttpRequest) -> HttpResponse:
    agent_set_email_notifications(agent=request.agent, enabled=request.POST.get("email") == "on")
    return redirect("agent:notifications")
