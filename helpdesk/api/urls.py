from django.urls import path

from helpdesk.api import views

urlpatterns = [
    path("tickets/", views.TicketListCreateApi.as_view(), name="api-tickets"),
    path("tickets/<id:pk>/", views.TicketDetailApi.as_view(), name="api-ticket"),
    path("tickets/<id:pk>/messages/", views.TicketMessagesApi.as_view(), name="api-ticket-messages"),
    path("tickets/<id:pk>/escalate/", views.TicketEscalateApi.as_view(), name="api-ticket-escalate"),
    path("tickets/<id:pk>/resolve/", views.TicketResolveApi.as_view(), name="api-ticket-resolve"),
    path("tickets/<id:pk>/csat/", views.TicketCsatApi.as_view(), name="api-ticket-csat"),
    path("attachments/<id:pk>/", views.AttachmentDownloadApi.as_view(), name="api-attachment"),
    path("agents/<str:username>/", views.AgentDetailApi.as_view(), name="api-agent"),
]
