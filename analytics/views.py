"""Analytics pages: one view renders any page of analytics.metrics.PAGES, another exports one of its
tables as CSV. Leads and admins see everything; other agents see the tickets they handled."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import urlencode

from analytics.cache import cached
from analytics.charts import chart_svg
from analytics.filters import FilterForm, with_default_dates
from analytics.metrics import ERR_LEADS_ONLY, PAGES, Page
from analytics.report import table_as_csv
from helpdesk.views.decorators import agent_required

# Built by the ML issue and mounted at /analytics/model/ ahead of these pages.
MODEL_CARD_URL = "/analytics/model/"


def _page(slug: str, request: HttpRequest) -> Page:
    page = PAGES.get(slug)
    if page is None:
        raise Http404("No such analytics page.")
    if page.leads_only and not request.agent.sees_all_tickets:
        raise PermissionDenied(ERR_LEADS_ONLY)
    return page


@agent_required
def page(request: HttpRequest, slug: str = "overview") -> HttpResponse:
    current = _page(slug, request)
    form = FilterForm(with_default_dates(request.GET), viewer=request.agent)
    context = {
        "pages": [p for p in PAGES.values() if request.agent.sees_all_tickets or not p.leads_only],
        "current": current,
        "form": form,
        "model_card_url": MODEL_CARD_URL,
        "own_numbers_only": not request.agent.sees_all_tickets,
    }
    template = "analytics/page.html#analytics" if request.htmx else "analytics/page.html"
    if not form.is_valid():
        # htmx swaps only successful responses: its fragment carries the form errors with a 200.
        return render(request, template, {**context, "query": ""}, status=200 if request.htmx else 400)
    filters = form.filters()
    report = cached(current.slug, filters, current.build)
    context.update(
        report=report,
        filters=filters,
        query=urlencode(filters.as_params()),
        sections=[(table, chart_svg(table)) for table in report.tables],
    )
    return render(request, template, context)


@agent_required
def export_csv(request: HttpRequest, slug: str, table: str) -> HttpResponse:
    current = _page(slug, request)
    form = FilterForm(request.GET, viewer=request.agent)
    if not form.is_valid():
        return HttpResponse(form.errors.as_text(), status=400, content_type="text/plain; charset=utf-8")
    filters = form.filters()
    found = cached(current.slug, filters, current.build).table(table)
    if found is None:
        raise Http404("No such table on this page.")
    response = HttpResponse(table_as_csv(found), content_type="text/csv; charset=utf-8")
    name = f"{current.slug}-{found.key}-{filters.since}-{filters.until}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
