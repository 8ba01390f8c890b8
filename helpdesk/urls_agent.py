from django.urls import path

from helpdesk.views import agent, knowledge, notifications

app_name = "agent"

urlpatterns = [
    path("", agent.queue, name="queue"),
    path("tickets/<id:pk>/", agent.ticket_detail, name="ticket"),
    path("tickets/<id:pk>/action/", agent.ticket_action, name="ticket_action"),
    path("tickets/<id:pk>/article/", knowledge.article_from_ticket, name="ticket_article"),
    path("status/", agent.set_status, name="set_status"),
    path("notifications/", notifications.notifications, name="notifications"),
    path("notifications/read/", notifications.notifications_read, name="notifications_read"),
    path("notifications/<id:pk>/read/", notifications.notification_read, name="notification_read"),
    path("notifications/email/", notifications.email_preference, name="email_preference"),
]
