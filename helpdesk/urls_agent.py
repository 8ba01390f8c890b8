from django.urls import path

from helpdesk.views import agent, knowledge, notifications, workspace

app_name = "agent"

urlpatterns = [
    path("", agent.queue, name="queue"),
    path("tickets/<id:pk>/", agent.ticket_detail, name="ticket"),
    path("tickets/<id:pk>/action/", agent.ticket_action, name="ticket_action"),
    path("tickets/<id:pk>/article/", knowledge.article_from_ticket, name="ticket_article"),
    path("tickets/<id:pk>/macro/", workspace.macro_fill, name="macro_fill"),
    path("bulk/", workspace.queue_bulk, name="bulk"),
    path("views/", workspace.saved_view_save, name="view_save"),
    path("views/<id:pk>/delete/", workspace.saved_view_remove, name="view_delete"),
    path("status/", agent.set_status, name="set_status"),
    path("notifications/", notifications.notifications, name="notifications"),
    path("notifications/read/", notifications.notifications_read, name="notifications_read"),
    path("notifications/<id:pk>/read/", notifications.notification_read, name="notification_read"),
    path("notifications/email/", notifications.email_preference, name="email_preference"),
]
