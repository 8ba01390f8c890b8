from django.urls import path

from escalation import api
from escalation.accounts import api as accounts_api

urlpatterns = [
    path("tickets/<id:pk>/routing/", api.TicketRoutingApi.as_view(), name="api-ticket-routing"),
    path("organizations/", accounts_api.OrganizationListApi.as_view(), name="api-organizations"),
    path("organizations/<id:pk>/", accounts_api.OrganizationDetailApi.as_view(), name="api-organization"),
    path(
        "organizations/<id:pk>/usage/",
        accounts_api.OrganizationUsageApi.as_view(),
        name="api-organization-usage",
    ),
    path(
        "organizations/<id:pk>/outcomes/",
        accounts_api.OrganizationOutcomeApi.as_view(),
        name="api-organization-outcomes",
    ),
    path(
        "organizations/<id:pk>/health/",
        accounts_api.OrganizationHealthApi.as_view(),
        name="api-organization-health",
    ),
]
