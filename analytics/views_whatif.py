"""/analytics/what-if/: replay recent tickets by the live policy or a draft, and compare (leads and admins)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from analytics.filters import with_default_dates
from analytics.whatif import DEFAULT_DAYS, PAGE_LIMIT, WhatIfForm, whatif_report
from escalation.models import DraftPolicy
from escalation.simulate.compare import simulate
from escalation.simulate.drafts import policy_named
from helpdesk.views.decorators import agent_required

ERR_LEADS_ONLY = "The what-if replay is for team leads and admins."


@agent_required
def what_if_page(request: HttpRequest) -> HttpResponse:
    if not request.agent.sees_all_tickets:
        raise PermissionDenied(ERR_LEADS_ONLY)
    params = with_default_dates(request.GET, days=DEFAULT_DAYS)
    asked = "policy" in request.GET  # the replay takes seconds: it runs when asked, not on arrival
    form = WhatIfForm(
        params if asked else None, initial={"since": params.get("since"), "until": params.get("until")}
    )
    context = {"form": form, "drafts": DraftPolicy.objects.all(), "limit": PAGE_LIMIT, "report": None}
    status = 200
    if asked and form.is_valid():
        try:
            policies = [(name, policy_named(name)) for name in form.names()]
        except ValidationError as error:  # a draft edited outside admin that no longer compiles
            form.add_error("policy", error)
            status = 400
        else:
            data = form.cleaned_data
            context["report"] = whatif_report(
                simulate(policies, data["since"], data["until"], limit=PAGE_LIMIT)
            )
    elif asked:
        status = 400
    return render(request, "analytics/what_if.html", context, status=status)
