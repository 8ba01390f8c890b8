"""GET /api/: where the API's collections and its documentation are (links only, no data)."""

from drf_spectacular.utils import extend_schema
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse

# What a client looks for first; every other endpoint hangs off these (see the schema).
ENTRIES = {
    "tickets": "api-tickets",
    "macros": "api-macros",
    "organizations": "api-organizations",
    "articles_suggest": "api-articles-suggest",
    "analytics_escalations": "api-analytics-escalations",
    "schema": "schema",
    "docs": "api-docs",
}


@extend_schema(exclude=True)
@api_view(["GET"])
@permission_classes([AllowAny])
def api_root(request: Request) -> Response:
    return Response({name: reverse(url_name, request=request) for name, url_name in ENTRIES.items()})
