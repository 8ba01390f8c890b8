from django.urls import path

from helpdesk.views import agent

app_name = "agent"

urlpatterns = [
    path("", agent.queue, name="queue"),
    path("tickets/<id:pk>/", agent.ticket_detail, name="ticket"),
    path("tickets/<id:pk>/action/", agent.ticket_action, name="ticket_action"),
    path("status/", agent.set_status, name="set_status"),
    path("notifications/", agent.notifications, name="notifications"),
    path("notifications/read/", agent.notifications_read, name="notifications_read"),
]
