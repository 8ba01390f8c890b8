"""Retried ticket creation makes one ticket: the API's Idempotency-Key header, the portal's one-time token."""

from __future__ import annotations

import datetime as dt
import re
import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from helpdesk.models import IdempotencyKey, Ticket
from helpdesk.services.idempotency import ERR_KEY_REUSED
from helpdesk.views.portal import ERR_FORM_ALREADY_SENT

pytestmark = pytest.mark.django_db

BODY = {"subject": "Charged twice", "body": "My card was charged twice in March."}


def _post(api, key, body=BODY):
    return api.post("/api/tickets/", body, format="json", HTTP_IDEMPOTENCY_KEY=key)


def test_a_retry_with_the_same_key_returns_the_first_ticket(api, customer):
    api.force_authenticate(customer)
    first = _post(api, "order-7f3a")
    again = _post(api, "order-7f3a")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert again["Idempotent-Replayed"] == "true"
    assert Ticket.objects.count() == 1


def test_the_same_key_with_another_body_is_refused(api, customer):
    api.force_authenticate(customer)
    _post(api, "k1")
    other = _post(api, "k1", {**BODY, "subject": "Something else"})
    assert other.status_code == 422
    assert other.json() == {"Idempotency-Key": [ERR_KEY_REUSED]}
    assert Ticket.objects.count() == 1


def test_keys_belong_to_one_account_and_expire_after_a_day(api, customer, other_customer):
    api.force_authenticate(customer)
    _post(api, "shared")
    api.force_authenticate(other_customer)
    assert _post(api, "shared").status_code == 201  # another account's key is not theirs
    IdempotencyKey.objects.update(created_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    assert _post(api, "shared").status_code == 201  # a day later the key is free again
    assert Ticket.objects.count() == 3


def test_without_a_key_each_post_is_a_new_ticket(api, customer):
    api.force_authenticate(customer)
    api.post("/api/tickets/", BODY, format="json")
    api.post("/api/tickets/", BODY, format="json")
    assert Ticket.objects.count() == 2


@pytest.mark.parametrize("key", ["", "x" * 256, "naïve", "has space"])
def test_a_malformed_key_is_a_field_error(api, customer, key):
    api.force_authenticate(customer)
    response = _post(api, key)
    assert response.status_code == 400 and "Idempotency-Key" in response.json()
    assert Ticket.objects.count() == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_five_concurrent_posts_with_one_key_make_one_ticket(customer):
    start = threading.Barrier(5)
    answers: list[tuple[int, int]] = []

    def post() -> None:
        client = APIClient()
        client.force_authenticate(customer)
        try:
            start.wait()
            response = _post(client, "burst-1")
            answers.append((response.status_code, response.json()["id"]))
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert Ticket.objects.count() == 1
    assert sorted(code for code, _ in answers) == [200, 200, 200, 200, 201]
    assert {pk for _, pk in answers} == {Ticket.objects.get().pk}


def _form_token(client) -> str:
    page = client.get("/portal/tickets/new/").content.decode()
    return re.search(r'name="once" value="([0-9a-f]+)"', page).group(1)


def test_a_double_submit_of_the_portal_form_makes_one_ticket(customer_client):
    token = _form_token(customer_client)
    form = {**BODY, "once": token}
    first = customer_client.post("/portal/tickets/new/", form)
    second = customer_client.post("/portal/tickets/new/", form)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]  # both lead to the same ticket
    assert Ticket.objects.count() == 1
    assert _form_token(customer_client) != token  # each form shown gets its own token


def test_a_reused_portal_token_with_other_text_is_refused(customer_client):
    token = _form_token(customer_client)
    customer_client.post("/portal/tickets/new/", {**BODY, "once": token})
    again = customer_client.post("/portal/tickets/new/", {**BODY, "subject": "Another", "once": token})
    assert again.status_code == 400
    assert ERR_FORM_ALREADY_SENT in again.content.decode()
    assert Ticket.objects.count() == 1
