from django.urls import path

from helpdesk.views import portal

app_name = "portal"

urlpatterns = [
    path("", portal.home, name="home"),
    path("tickets/new/", portal.ticket_new, name="ticket_new"),
    path("tickets/<id:pk>/", portal.ticket_detail, name="ticket_detail"),
    path("tickets/<id:pk>/submitted/", portal.ticket_submitted, name="ticket_submitted"),
    path("tickets/<id:pk>/reply/", portal.ticket_reply, name="ticket_reply"),
    path("tickets/<id:pk>/cc/", portal.ticket_cc, name="ticket_cc"),
    path("tickets/<id:pk>/rate/", portal.ticket_rate, name="ticket_rate"),
    path("tickets/<id:pk>/rated/", portal.ticket_rated, name="ticket_rated"),
]
