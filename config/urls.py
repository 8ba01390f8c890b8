"""Root URLs: portal, agent workspace, admin, API, analytics, auth, health."""

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, register_converter
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from helpdesk.converters import IdConverter
from helpdesk.views import attachments, home

register_converter(IdConverter, "id")

urlpatterns = [
    path("", home.home, name="home"),
    path("healthz", home.healthz, name="healthz"),
    # Browsers ask for /favicon.ico on pages that name no icon (Django admin's).
    path("favicon.ico", RedirectView.as_view(url=f"{settings.STATIC_URL}img/favicon.svg", permanent=True)),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("attachments/<id:pk>/", attachments.attachment_download, name="attachment"),
    path("attachments/<id:pk>/<str:name>", attachments.attachment_download, name="attachment_named"),
    path("", include("helpdesk.mail.urls")),  # inbound e-mail webhook, rating links, e-mail originals
    path("portal/", include("helpdesk.urls_portal")),
    path("agent/", include("helpdesk.urls_agent")),
    path("agent/", include("escalation.urls")),
    path("analytics/", include("analytics.urls")),
    path("api/", include("helpdesk.api.urls")),
    path("api/", include("escalation.api_urls")),
    path("api/", include("analytics.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("admin/", admin.site.urls),
]
