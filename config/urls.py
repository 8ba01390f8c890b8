"""Root URLs: portal, agent workspace, admin, API, analytics, auth, health."""

from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, register_converter
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from config.api_root import api_root
from helpdesk.converters import IdConverter
from helpdesk.views import accounts, attachments, home

register_converter(IdConverter, "id")

urlpatterns = [
    path("", home.home, name="home"),
    path("healthz", home.healthz, name="healthz"),
    # Browsers ask for /favicon.ico on pages that name no icon (Django admin's).
    path("favicon.ico", RedirectView.as_view(url=f"{settings.STATIC_URL}img/favicon.svg", permanent=True)),
    path("accounts/login/", accounts.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password_reset/", accounts.PasswordResetView.as_view(), name="password_reset"),
    path(
        "accounts/password_reset/done/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        accounts.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"
    ),
    path("accounts/invitation/<str:token>/", accounts.invitation_accept_page, name="invitation_accept"),
    path("accounts/signup/", accounts.signup, name="signup"),
    path("language/", accounts.language_choose, name="language"),
    path("help/", include("escalation.helpcenter.urls")),
    path("attachments/<id:pk>/", attachments.attachment_download, name="attachment"),
    path("attachments/<id:pk>/<str:name>", attachments.attachment_download, name="attachment_named"),
    path("", include("helpdesk.mail.urls")),  # inbound e-mail webhook, rating links, e-mail originals
    path("portal/", include("helpdesk.urls_portal")),
    path("agent/", include("helpdesk.urls_agent")),
    path("agent/", include("escalation.urls")),
    path("analytics/", include("analytics.urls")),
    path("api/", api_root, name="api-root"),
    path("api/", include("helpdesk.api.urls")),
    path("api/", include("escalation.api_urls")),
    path("api/", include("escalation.helpcenter.api_urls")),
    path("api/", include("analytics.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its start-up script as a file: the CSP allows no inline script.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    path("admin/", admin.site.urls),
]

# Errors no view handled: JSON under /api/, pages elsewhere, 503 while the database is away.
handler400 = "helpdesk.views.errors.bad_request"
handler403 = "helpdesk.views.errors.permission_denied"
handler404 = "helpdesk.views.errors.page_not_found"
handler500 = "helpdesk.views.errors.server_error"
