"""Getting customers into the portal: one-time invitation links, password resets for customers who never
had a password, and self sign-up for organizations that allow it.

An invitation is a random token e-mailed as a link; only its SHA-256 is stored. The link works once and
for `INVITATION_DAYS`; following it lets the customer choose a password and signs them in. Once a
password is set, every other open link of the same customer stops working.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from helpdesk.locale import customer_language, supported_language
from helpdesk.models import Customer, Invitation, InvitationPurpose, Organization, OrganizationDomain

logger = logging.getLogger(__name__)

ERR_PASSWORDS_DIFFER = gettext_noop("The two passwords differ.")
ERR_SIGNUP_CLOSED = gettext_noop(
    "Sign-up is not open for this e-mail domain. Ask your organization's support contact for an invitation."
)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_url(token: str) -> str:
    """The absolute link of an invitation, as it appears in the e-mail."""
    return settings.HELPDESK_BASE_URL + reverse("invitation_accept", kwargs={"token": token})


def customer_invite(
    *,
    user: AbstractBaseUser,
    invited_by: AbstractBaseUser | None = None,
    purpose: str = InvitationPurpose.INVITE,
) -> Invitation:
    """Create a one-time link for this customer and e-mail it to them once the transaction commits."""
    if not user.email:
        raise ValidationError({"email": ["The customer has no e-mail address to send the invitation to."]})
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    invitation = Invitation.objects.create(
        user=user,
        token_hash=_hash(token),
        purpose=purpose,
        created_by=invited_by,
        created_at=now,
        expires_at=now + dt.timedelta(days=settings.INVITATION_DAYS),
    )
    transaction.on_commit(lambda: _send_invitation(invitation, token))
    return invitation


def _send_invitation(invitation: Invitation, token: str) -> None:
    """The e-mail, in the customer's language. A mail server that is down must not undo the invitation:
    staff can send another one, and the customer can ask for a link on the password reset page."""
    user = invitation.user
    with translation.override(customer_language(user)):
        context = {
            "user": user,
            "name": user.first_name or user.email,
            "url": invitation_url(token),
            "days": settings.INVITATION_DAYS,
            "signup": invitation.purpose == InvitationPurpose.SIGNUP,
            "base_url": settings.HELPDESK_BASE_URL,
        }
        subject = (
            _("Confirm your e-mail address for the help center")
            if context["signup"]
            else _("You are invited to the help center")
        )
        text = render_to_string("emails/invitation.txt", context)
        html = render_to_string("emails/invitation.html", context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.HELPDESK_FROM_EMAIL,
        to=[user.email],
    )
    message.attach_alternative(html, "text/html")
    try:
        message.send()
    except Exception:  # noqa: BLE001 - logged; the invitation stays valid and can be sent again
        logger.exception("could not e-mail the invitation of user %s", user.pk)


def invitation_for_token(token: str) -> Invitation | None:
    """The invitation this link belongs to, whether still usable or not (the page explains which)."""
    if not token or len(token) > 100:
        return None
    return Invitation.objects.select_related("user").filter(token_hash=_hash(token)).first()


def invitation_accept(*, invitation: Invitation, password1: str, password2: str) -> AbstractBaseUser:
    """Set the customer's password from an unused, unexpired invitation; the link is spent with it."""
    if password1 != password2:
        raise ValidationError({"password2": [_(ERR_PASSWORDS_DIFFER)]})
    user = invitation.user
    password_validation.validate_password(password1, user)
    with transaction.atomic():
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
        now = timezone.now()
        if locked.used_at is not None or locked.is_expired(now):
            raise ValidationError(_("This link can no longer be used."))
        user.set_password(password1)
        user.is_active = True
        user.save(update_fields=["password", "is_active"])
        Invitation.objects.filter(user=user, used_at__isnull=True).update(used_at=now)
    return user


# --- self sign-up -----------------------------------------------------------------------------------


def organization_for_signup(email: str) -> Organization | None:
    """The organization that lets people of this e-mail domain sign themselves up, if any."""
    domain = email.rpartition("@")[2].strip().lower()
    if not domain:
        return None
    found = OrganizationDomain.objects.filter(domain=domain, organization__self_signup=True)
    match = found.select_related("organization").first()
    return match.organization if match is not None else None


def signup_is_open() -> bool:
    """Does any organization let people sign themselves up?"""
    return OrganizationDomain.objects.filter(organization__self_signup=True).exists()


def customer_sign_up(*, email: str, name: str = "", language: str = "") -> AbstractBaseUser | None:
    """Sign up a customer of an organization that allows it: a login without a password and an e-mail
    to confirm the address, whose link sets the password.

    Someone who already has a login gets a fresh link instead (the page says the same in both cases,
    so it does not tell who has an account). Returns None in that case.
    """
    email = email.strip().lower()
    organization = organization_for_signup(email)
    if organization is None:
        raise ValidationError({"email": [_(ERR_SIGNUP_CLOSED)]})
    User = get_user_model()
    with transaction.atomic():
        existing = User.objects.filter(email__iexact=email).order_by("pk").first()
        if existing is not None:
            if hasattr(existing, "customer") and existing.is_active:
                customer_invite(user=existing, purpose=InvitationPurpose.SIGNUP)
            return None
        first, _sep, last = name.strip().partition(" ")
        user = User.objects.create(
            username=email[:150],
            email=email,
            first_name=first[:150],
            last_name=last[:150],
            password=make_password(None),
        )
        Customer.objects.create(
            user=user, organization=organization, language=supported_language(language) or "en"
        )
        customer_invite(user=user, purpose=InvitationPurpose.SIGNUP)
    return user
