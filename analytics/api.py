"""Analytics API: the escalation rate by one dimension (contract), and each page's report as JSON.

Both take the page filters as query parameters (since, until, team, tier, segment, category, channel,
agent). Agents who do not see every queue get their own numbers; customers get 403.
"""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from analytics.cache import cached
from analytics.filters import FilterForm, Filters
from analytics.metrics import ERR_LEADS_ONLY, PAGES
from analytics.metrics.dimensions import DIMENSIONS, escalation_rates
from analytics.report import report_as_json
from helpdesk.api.permissions import IsStaffClient
from helpdesk.permissions import agent_of

ERR_BY = f"Choose one of: {', '.join(DIMENSIONS)}."
DAY_PATTERN = r"^([0-9]{4}-[0-9]{2}-[0-9]{2}([T ].*)?)?$"
FILTER_PARAMETERS = [
    # Dates as the pages take them: a day, or a date-time read as its day; blank for the default.
    OpenApiParameter(
        "since",
        str,
        pattern=DAY_PATTERN,
        description="First creation day, YYYY-MM-DD (default: 89 days before until).",
    ),
    OpenApiParameter(
        "until", str, pattern=DAY_PATTERN, description="Last creation day, inclusive (default: today)."
    ),
    OpenApiParameter("team", str, description="Team name: tickets that passed through it."),
    OpenApiParameter(
        "tier", str, pattern=r"^[0-9]*$", description="Tier level: tickets that passed through it."
    ),
    OpenApiParameter("segment", str, description="Customer segment."),
    OpenApiParameter("category", str, description="Category name."),
    OpenApiParameter("channel", str, description="Channel the ticket came in through."),
    OpenApiParameter("agent", str, description="Username: tickets the agent handled (leads and admins)."),
]


def request_filters(request: Request) -> Filters:
    form = FilterForm(request.query_params, viewer=agent_of(request.user))
    if not form.is_valid():
        raise ValidationError({field: [str(m) for m in messages] for field, messages in form.errors.items()})
    return form.filters()


class EscalationRateApi(APIView):
    """GET /api/analytics/escalations/?by=team|tier|category|segment|agent|channel&since=&until="""

    permission_classes = [IsStaffClient]

    @extend_schema(
        parameters=[
            OpenApiParameter("by", str, enum=list(DIMENSIONS), description="Default: team."),
            *FILTER_PARAMETERS,
        ],
        responses=OpenApiTypes.OBJECT,
    )
    def get(self, request: Request) -> Response:
        by = request.query_params.get("by", "team")
        if by not in DIMENSIONS:
            raise ValidationError({"by": [ERR_BY]})
        filters = request_filters(request)
        total, rows = cached(f"api-{by}", filters, lambda f: escalation_rates(f, by))
        return Response(
            {
                "by": by,
                "since": filters.since.isoformat(),
                "until": filters.until.isoformat(),
                "filters": filters.as_params(),
                "total": total,
                "results": rows,
            }
        )


class AnalyticsPageApi(APIView):
    """GET /api/analytics/pages/<page>/: a page's headline numbers and tables, with the same filters."""

    permission_classes = [IsStaffClient]

    @extend_schema(parameters=FILTER_PARAMETERS, responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, page: str) -> Response:
        spec = PAGES.get(page)
        if spec is None:
            raise Http404("No such analytics page.")
        viewer = agent_of(request.user)
        if spec.leads_only and viewer is not None and not viewer.sees_all_tickets:
            raise PermissionDenied(ERR_LEADS_ONLY)
        filters = request_filters(request)
        report = cached(spec.slug, filters, spec.build)
        return Response(report_as_json(report, filters.as_params()))
