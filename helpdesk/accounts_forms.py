"""Forms of the account pages: sign in with an e-mail, password reset, invitation, sign-up."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from helpdesk.locale import customer_language


class EmailAuthenticationForm(AuthenticationForm):
    """Django's login form, asking for the e-mail (staff may still type their username)."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("That e-mail and password do not match. Passwords are case-sensitive."),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        username = self.fields["username"]
        username.label = _("E-mail")
        username.widget.attrs.update(
            {"autocomplete": "username", "inputmode": "email", "spellcheck": "false"}
        )
        username.help_text = _("Support staff may use their username.")


class CustomerPasswordResetForm(PasswordResetForm):
    """Django's reset form; customers created by an agent, the API or an e-mail have never had a password,
    so they may use it to set their first one. The e-mail goes out in the customer's language."""

    def get_users(self, email):
        users = get_user_model()._default_manager.filter(email__iexact=email, is_active=True)
        return (u for u in users if u.has_usable_password() or hasattr(u, "customer"))

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        with translation.override(customer_language(context["user"])):
            super().send_mail(
                subject_template_name,
                email_template_name,
                context,
                from_email,
                to_email,
                html_email_template_name,
            )


class SetPasswordForm(forms.Form):
    """Choosing a password from an invitation link."""

    password1 = forms.CharField(
        label=_("New password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Repeat the password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class SignUpForm(forms.Form):
    name = forms.CharField(
        label=_("Your name"), max_length=300, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    email = forms.EmailField(
        label=_("Work e-mail"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text=_("Use the address at your organization: we send a link to it."),
    )
