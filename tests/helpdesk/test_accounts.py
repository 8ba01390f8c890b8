"""Customers get into the portal: e-mail sign-in, password reset, invitations, self sign-up."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.cache import cache
from django.test import override_settings
from django.utils import timezone

from helpdesk.models import Customer, Invitation, Organization, OrganizationDomain
from helpdesk.services import customer_invite
from tests.factories import CustomerFactory, OrganizationFactory, UserFactory

LINK = re.compile(r"https?://\S+")


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()  # rate-limit counters live in the cache
    yield
    cache.clear()


def _invitations() -> list:
    return [m for m in mail.outbox if m.subject == "You are invited to the help center"]


def _link(message) -> str:
    return LINK.search(message.body).group(0)


def test_the_login_form_asks_for_the_e_mail(client, db):
    page = client.get("/accounts/login/").content.decode()
    assert '<label for="id_username">E-mail' in page
    assert "Forgot your password" in page


def test_customers_sign_in_with_their_e_mail_in_any_case(client, customer):
    response = client.post("/accounts/login/", {"username": "CARLA@Acme.TEST", "password": "secret-pass-123"})
    assert response.status_code == 302
    assert client.get("/portal/").status_code == 200


def test_staff_still_sign_in_with_their_username(client, agent):
    response = client.post("/accounts/login/", {"username": "ana", "password": "secret-pass-123"})
    assert response.status_code == 302


def test_a_wrong_password_is_refused_with_a_clear_message(client, customer):
    response = client.post("/accounts/login/", {"username": "carla@acme.test", "password": "nope"})
    assert response.status_code == 200
    assert "That e-mail and password do not match" in response.content.decode()


@override_settings(HELPDESK_BASE_URL="https://help.example.com")
def test_password_reset_mails_an_absolute_link_that_sets_the_password_and_signs_in(client, customer):
    response = client.post("/accounts/password_reset/", {"email": "Carla@acme.test"})
    assert response.status_code == 302 and response["Location"] == "/accounts/password_reset/done/"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["carla@acme.test"]
    link = _link(mail.outbox[0])
    assert link.startswith("https://help.example.com/accounts/reset/")
    path = link.removeprefix("https://help.example.com")
    form = client.get(path, follow=True)  # Django swaps the token for a session-bound URL
    assert "Choose a new password" in form.content.decode()
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "a-new-long-pass-42", "new_password2": "a-new-long-pass-42"},
    )
    assert done.status_code == 302
    assert client.get("/portal/").status_code == 200  # signed in straight away
    customer.refresh_from_db()
    assert customer.check_password("a-new-long-pass-42")


def test_a_customer_who_never_had_a_password_can_choose_one_by_reset(client, db):
    user = UserFactory(username="new@acme.test", email="new@acme.test", password=None)
    user.set_unusable_password()
    user.save()
    CustomerFactory(user=user)
    client.post("/accounts/password_reset/", {"email": "new@acme.test"})
    assert len(mail.outbox) == 1


def test_an_unknown_address_gets_the_same_answer_and_no_mail(client, db):
    response = client.post("/accounts/password_reset/", {"email": "nobody@nowhere.test"})
    assert response.status_code == 302 and not mail.outbox


@override_settings(ACCOUNT_REQUESTS_PER_HOUR=3)
def test_password_reset_requests_are_limited(client, customer):
    codes = [
        client.post("/accounts/password_reset/", {"email": "carla@acme.test"}).status_code for _ in range(5)
    ]
    assert codes == [302, 302, 302, 429, 429]
    assert len(mail.outbox) == 3


# --- invitations ------------------------------------------------------------------------------------


@override_settings(HELPDESK_BASE_URL="http://portal.example")
def test_the_api_invites_a_customer_it_creates(api, staff_user, django_capture_on_commit_callbacks):
    api.force_authenticate(staff_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            "/api/tickets/",
            {
                "subject": "Help",
                "body": "Please",
                "customer_email": "Nina@NewCo.test",
                "customer_name": "Nina Weber",
            },
            format="json",
        )
    assert response.status_code == 201
    # Besides the acknowledgement of the ticket, one invitation.
    assert len(_invitations()) == 1
    message = _invitations()[0]
    assert message.to == ["nina@newco.test"] and "Hello Nina" in message.body
    assert _link(message).startswith("http://portal.example/accounts/invitation/")
    # A returning customer is not invited again.
    with django_capture_on_commit_callbacks(execute=True):
        api.post(
            "/api/tickets/",
            {"subject": "Again", "body": "Please", "customer_email": "nina@newco.test"},
            format="json",
        )
    assert len(_invitations()) == 1


def _invite(user, django_capture_on_commit_callbacks) -> str:
    with django_capture_on_commit_callbacks(execute=True):
        customer_invite(user=user)
    return _link(mail.outbox[-1]).split("://", 1)[1].split("/", 1)[1]


def test_an_invitation_sets_the_password_signs_in_and_is_spent(
    client, db, django_capture_on_commit_callbacks
):
    user = CustomerFactory(user=UserFactory(username="ina@acme.test", email="ina@acme.test")).user
    path = "/" + _invite(user, django_capture_on_commit_callbacks)
    page = client.get(path)
    assert page.status_code == 200 and "ina@acme.test" in page.content.decode()
    mismatch = client.post(path, {"password1": "long-enough-pass-1", "password2": "other-pass-2"})
    assert mismatch.status_code == 400 and "The two passwords differ." in mismatch.content.decode()
    done = client.post(path, {"password1": "long-enough-pass-1", "password2": "long-enough-pass-1"})
    assert done.status_code == 302 and done["Location"] == "/portal/"
    assert client.get("/portal/").status_code == 200
    user.refresh_from_db()
    assert user.check_password("long-enough-pass-1")
    client.logout()
    again = client.get(path)
    assert again.status_code == 410 and "already been used" in again.content.decode()


def test_an_expired_invitation_explains_itself_and_offers_a_new_link(
    client, db, django_capture_on_commit_callbacks
):
    user = CustomerFactory().user
    path = "/" + _invite(user, django_capture_on_commit_callbacks)
    with time_machine.travel(timezone.now() + dt.timedelta(days=8)):
        page = client.get(path)
        refused = client.post(path, {"password1": "long-enough-pass-1", "password2": "long-enough-pass-1"})
    assert page.status_code == 410 and "expired" in page.content.decode()
    assert refused.status_code == 410
    user.refresh_from_db()
    assert not user.has_usable_password() or not user.check_password("long-enough-pass-1")


def test_an_unknown_link_is_explained(client, db):
    page = client.get("/accounts/invitation/not-a-real-token/")
    assert page.status_code == 410 and "We do not know this link" in page.content.decode()


def test_only_the_hash_of_the_token_is_stored(db, django_capture_on_commit_callbacks):
    user = CustomerFactory().user
    path = _invite(user, django_capture_on_commit_callbacks)
    token = path.rstrip("/").rsplit("/", 1)[1]
    assert not Invitation.objects.filter(token_hash=token).exists()
    assert Invitation.objects.filter(user=user).count() == 1


# --- self sign-up -----------------------------------------------------------------------------------


def test_sign_up_is_off_by_default(client, db):
    acme = OrganizationFactory(name="Acme")
    OrganizationDomain.objects.create(
        organization=acme, domain="acme.test"
    )  # a domain alone does not open it
    page = client.get("/accounts/signup/")
    assert page.status_code == 404 and "Accounts are created by invitation" in page.content.decode()
    client.post("/accounts/signup/", {"name": "Sam", "email": "sam@acme.test"})
    assert not get_user_model().objects.filter(email="sam@acme.test").exists()


def test_sign_up_by_organization_domain(client, db, django_capture_on_commit_callbacks):
    acme = OrganizationFactory(name="Acme", self_signup=True)
    OrganizationDomain.objects.create(organization=acme, domain="acme.test")
    OrganizationDomain.objects.create(organization=acme, domain="acme.example")
    assert "Create an account" in client.get("/accounts/login/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post("/accounts/signup/", {"name": "Sam Lee", "email": "Sam@acme.example"})
    assert sent.status_code == 200 and "Check your inbox" in sent.content.decode()
    customer = Customer.objects.select_related("user").get(user__email="sam@acme.example")
    assert customer.organization == acme and not customer.user.has_usable_password()
    assert len(mail.outbox) == 1 and "confirm your e-mail" in mail.outbox[0].body
    refused = client.post("/accounts/signup/", {"name": "Eve", "email": "eve@elsewhere.test"})
    assert refused.status_code == 400 and "not open for this e-mail domain" in refused.content.decode()
    assert not Organization.objects.filter(name="elsewhere.test").exists()
