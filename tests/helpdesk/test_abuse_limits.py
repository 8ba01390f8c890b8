"""Abuse limits as an attacker meets them: sign-in lockout, API rates, wrong tokens, the per-customer
ticket limit, the cap on open live sockets, and sockets closing at sign-out. Each test lowers the
generous limits of tests/settings.py to something it can reach."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.cache import cache
from rest_framework.authtoken.models import Token

from helpdesk.models import Ticket
from tests.factories import UserFactory

PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def fresh_counters():
    cache.clear()
    yield
    cache.clear()


def set_rates(settings, **rates):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], **rates},
    }


def sign_in(client, username, password, url="/accounts/login/", **extra):
    return client.post(url, {"username": username, "password": password}, **extra)


# --- sign-in lockout -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_wrong_passwords_lock_the_customer_out_even_with_the_right_one_then_it_reopens(client, settings):
    settings.AXES_FAILURE_LIMIT = 3
    customer = UserFactory(username="carla@acme.test")
    customer.set_password(PASSWORD)
    customer.save()

    for _ in range(2):
        assert sign_in(client, "carla@acme.test", "guess").status_code == 200  # the form, with its error
    assert sign_in(client, "carla@acme.test", "guess").status_code == 429  # the third failure locks
    locked = sign_in(client, "carla@acme.test", PASSWORD)
    assert locked.status_code == 429
    assert b"Too many sign-in attempts" in locked.content and b"15 minute" in locked.content
    assert 0 < int(locked["Retry-After"]) <= 15 * 60
    assert "_auth_user_id" not in client.session

    # Another address is not locked out of the same account.
    assert sign_in(client, "carla@acme.test", PASSWORD, REMOTE_ADDR="10.0.0.9").status_code == 302
    client.logout()

    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=16)):
        assert sign_in(client, "carla@acme.test", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_the_admin_sign_in_locks_out_too(client, settings):
    settings.AXES_FAILURE_LIMIT = 2
    admin = UserFactory(username="root", is_staff=True, is_superuser=True)
    admin.set_password(PASSWORD)
    admin.save()
    for _ in range(2):
        sign_in(client, "root", "admin", url="/admin/login/")
    locked = sign_in(client, "root", PASSWORD, url="/admin/login/")
    assert locked.status_code == 429 and "Retry-After" in locked
    assert client.get("/admin/").status_code == 302  # still not signed in


# --- API rates ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_account_over_its_api_rate_gets_429_json_with_retry_after(api, customer, settings):
    set_rates(settings, user="3/minute")
    api.force_authenticate(customer)
    assert [api.get("/api/tickets/").status_code for _ in range(3)] == [200, 200, 200]
    throttled = api.get("/api/tickets/")
    assert throttled.status_code == 429
    assert throttled["Content-Type"] == "application/json"
    assert "throttled" in throttled.json()["detail"].lower()
    assert 0 < int(throttled["Retry-After"]) <= 60

    api.force_authenticate(UserFactory(username="other@acme.test"))
    assert api.get("/api/tickets/").status_code == 200  # per account, not for everyone


@pytest.mark.django_db
def test_anonymous_requests_are_counted_per_address(api, settings):
    """The public schema is costly to build: anonymous callers get it at the anonymous rate."""
    set_rates(settings, anon="2/minute")
    assert [api.get("/api/schema/?format=json").status_code for _ in range(2)] == [200, 200]
    throttled = api.get("/api/schema/?format=json")
    assert throttled.status_code == 429 and "detail" in throttled.json()
    assert (
        api.get("/api/schema/?format=json", HTTP_X_FORWARDED_FOR="203.0.113.7").status_code == 429
    )  # not spoofable
    assert api.get("/api/schema/?format=json", REMOTE_ADDR="10.1.2.3").status_code == 200


@pytest.mark.django_db
def test_guessing_tokens_is_throttled_per_address(api, staff_user, settings):
    set_rates(settings, bad_token="5/minute")
    right = Token.objects.create(user=staff_user).key
    for i in range(5):
        answer = api.get("/api/tickets/", HTTP_AUTHORIZATION=f"Token {i:040x}")
        assert answer.status_code == 401
    refused = api.get("/api/tickets/", HTTP_AUTHORIZATION=f"Token {right}")
    assert refused.status_code == 429 and "invalid API tokens" in refused.json()["detail"]
    assert int(refused["Retry-After"]) > 0
    elsewhere = api.get("/api/tickets/", HTTP_AUTHORIZATION=f"Token {right}", REMOTE_ADDR="10.9.9.9")
    assert elsewhere.status_code == 200


# --- new tickets per customer ------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_customer_filing_too_many_tickets_in_the_portal_keeps_the_text_and_is_told_when(
    client, customer, settings
):
    settings.HELPDESK_TICKETS_PER_HOUR = 3
    client.force_login(customer)
    for i in range(3):
        response = client.post("/portal/tickets/new/", {"subject": f"Problem {i}", "body": "It broke."})
        assert response.status_code == 302
    refused = client.post("/portal/tickets/new/", {"subject": "Problem four", "body": "Still broken."})
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 3000
    assert b"You have opened 3 tickets in the last hour" in refused.content
    assert b"Problem four" in refused.content and b"Still broken." in refused.content
    assert Ticket.objects.filter(customer=customer).count() == 3

    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=61)):
        assert client.post("/portal/tickets/new/", {"subject": "Later", "body": "Again."}).status_code == 302


@pytest.mark.django_db
def test_the_limit_spans_portal_and_api_and_answers_429_json(api, customer, staff_user, settings):
    settings.HELPDESK_TICKETS_PER_HOUR = 2
    api.force_authenticate(customer)
    for i in range(2):
        assert api.post("/api/tickets/", {"subject": f"S{i}", "body": "B"}, format="json").status_code == 201
    refused = api.post("/api/tickets/", {"subject": "S3", "body": "B"}, format="json")
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert refused.json()["detail"] == (
        "You have opened 2 tickets in the last hour, the most we accept. Please add to one of your open "
        "tickets, or try again in 60 minute(s)."
    )

    # An integration files for many customers: its own rate limits it, not this customer's count.
    api.force_authenticate(staff_user)
    created = api.post(
        "/api/tickets/",
        {"subject": "From e-mail", "body": "B", "customer_email": customer.email},
        format="json",
    )
    assert created.status_code == 201
