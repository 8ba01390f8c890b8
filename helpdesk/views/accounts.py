"""Account pages: sign in, password reset, invitation links, self sign-up, the language chooser."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from helpdesk.accounts_forms import (
    CustomerPasswordResetForm,
    EmailAuthenticationForm,
    SetPasswordForm,
    SignUpForm,
)
from helpdesk.forms import run_service
from helpdesk.locale import supported_language
from helpdesk.permissions import customer_of
from helpdesk.ratelimit import client_address, limit_reached
from helpdesk.services import customer_sign_up, invitation_accept
from helpdesk.services.invitations import invitation_for_token, signup_is_open

HOUR = 3600


def too_many_requests(request: HttpRequest) -> HttpResponse:
    return render(request, "429.html", status=429)


def _account_limit_reached(request: HttpRequest, scope: str) -> bool:
    """Per client address and per e-mail address typed: both must stay under the hourly limit."""
    limit = settings.ACCOUNT_REQUESTS_PER_HOUR
    by_address = limit_reached(scope, client_address(request), limit=limit, window=HOUR)
    email = (request.POST.get("email") or "").strip()
    by_email = bool(email) and limit_reached(f"{scope}-email", email, limit=limit, window=HOUR)
    return by_address or by_email


class LoginView(auth_views.LoginView):
    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["signup_open"] = signup_is_open()
        return context


class PasswordResetView(auth_views.PasswordResetView):
    form_class = CustomerPasswordResetForm
    email_template_name = "registration/password_reset_email.txt"
    html_email_template_name = "registration/password_reset_email.html"
    subject_template_name = "registration/password_reset_subject.txt"

    @property
    def extra_email_context(self) -> dict:
        return {"base_url": settings.HELPDESK_BASE_URL}

    def post(self, request, *args, **kwargs):
        if _account_limit_reached(request, "password-reset"):
            return too_many_requests(request)
        return super().post(request, *args, **kwargs)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    post_reset_login = True
    post_reset_login_backend = "django.contrib.auth.backends.ModelBackend"


def invitation_accept_page(request: HttpRequest, token: str) -> HttpResponse:
    """Where an invitation link leads: choose a password and you are in; a spent or old link says so."""
    invitation = invitation_for_token(token)
    if invitation is None or invitation.used_at is not None or invitation.is_expired():
        reason = "unknown" if invitation is None else ("used" if invitation.used_at else "expired")
        return render(request, "registration/invitation_invalid.html", {"reason": reason}, status=410)
    form = SetPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = run_service(
            form,
            lambda: invitation_accept(
                invitation=invitation,
                password1=form.cleaned_data["password1"],
                password2=form.cleaned_data["password2"],
            ),
        )
        if user is not None:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Your password is set. Welcome!"))
            return redirect("portal:home")
    return render(
        request,
        "registration/invitation_accept.html",
        {"form": form, "invited": invitation.user},
        status=400 if form.errors else 200,
    )


def signup(request: HttpRequest) -> HttpResponse:
    """Self sign-up, for organizations that allow it by e-mail domain (off unless an admin turns it on)."""
    if request.user.is_authenticated:
        return redirect("home")
    open_ = signup_is_open()
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and open_:
        if _account_limit_reached(request, "signup"):
            return too_many_requests(request)
        if form.is_valid():
            done = run_service(
                form,
                lambda: (
                    customer_sign_up(
                        email=form.cleaned_data["email"],
                        name=form.cleaned_data["name"],
                        language=getattr(request, "LANGUAGE_CODE", ""),
                    )
                    or True
                ),
            )
            if done:
                return render(request, "registration/signup_sent.html", {"email": form.cleaned_data["email"]})
    status = 400 if form.errors else (200 if open_ else 404)
    return render(request, "registration/signup.html", {"form": form, "open": open_}, status=status)


@require_POST
def language_choose(request: HttpRequest) -> HttpResponse:
    """The language chooser: remembered in a cookie, and in the profile of a signed-in customer."""
    customer = customer_of(request.user)
    language = supported_language(request.POST.get("language"))
    if customer is not None and language:
        customer.language = language
        customer.save(update_fields=["language"])
    return set_language(request)
