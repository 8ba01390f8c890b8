from django.urls import path

from helpdesk.mail import api, views

urlpatterns = [
    path("api/inbound/email/", api.InboundEmailApi.as_view(), name="api-inbound-email"),
    path("portal/rate/<str:token>/", views.rate_link, name="rate_link"),
    path("agent/messages/<id:pk>/email/", views.email_original, name="mail_original"),
]
