"""/analytics/model/: the triage model card (analytics.model_card builds it)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from analytics.model_card import model_card
from helpdesk.views.decorators import agent_required


@agent_required
def model_card_page(request: HttpRequest) -> HttpResponse:
    raw = request.GET.get("version", "")
    version_id = int(raw) if raw.isdigit() else None
    card = model_card(version_id)
    return render(request, "analytics/model_card.html", {"card": card, "autonomy_report": card.autonomy})
