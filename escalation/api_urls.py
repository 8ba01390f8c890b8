from django.urls import path

from escalation import api

urlpatterns = [
    path("tickets/<id:pk>/routing/", api.TicketRoutingApi.as_view(), name="api-ticket-routing"),
]
