from django.urls import path

from helpdesk.api import views

urlpatterns = [
    path("tickets/", views.TicketListCreateApi.as_view(), name="api-tickets"),
    path("tickets/bulk/", views.TicketBulkApi.as_view(), name="api-tickets-bulk"),
    path("tickets/<id:pk>/", views.TicketDetailApi.as_view(), name="api-ticket"),
    path("tickets/<id:pk>/merge/", views.TicketMergeApi.as_view(), name="api-ticket-merge"),
    path("tickets/<id:pk>/links/", views.TicketLinksApi.as_view(), name="api-ticket-links"),
    path("tickets/<id:pk>/apply-macro/", views.TicketApplyMacroApi.as_view(), name="api-ticket-apply-macro"),
    path("macros/", views.MacroListApi.as_view(), name="api-macros"),
    path("tickets/<id:pk>/messages/", views.TicketMessagesApi.as_view(), name="api-ticket-messages"),
    path("tickets/<id:pk>/escalate/", views.TicketEscalateApi.as_view(), name="api-ticket-escalate"),
    path("tickets/<id:pk>/resolve/", views.TicketResolveApi.as_view(), name="api-ticket-resolve"),
    path("tickets/<id:pk>/csat/", views.TicketCsatApi.as_view(), name="api-ticket-csat"),
    path("attachments/<id:pk>/", views.AttachmentDownloadApi.as_view(), name="api-attachment"),
    path("agents/<str:username>/", views.AgentDetailApi.as_view(), name="api-agent"),
]
