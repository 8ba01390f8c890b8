"""Escalation analytics pages (first version: the overview's headline numbers)."""

from __future__ import annotations

from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from helpdesk.models import Ticket
from helpdesk.views.decorators import agent_required


@agent_required
def overview(request: HttpRequest) -> HttpResponse:
    totals = Ticket.objects.aggregate(
        tickets=Count("pk"),
        escalated=Count("pk", filter=Q(escalation_count__gt=0)),
        breached=Count("pk", filter=Q(sla_breached=True)),
    )
    rate = totals["escalated"] / totals["tickets"] if totals["tickets"] else None
    return render(request, "analytics/overview.html", {"totals": totals, "escalation_rate": rate})
