"""Inputs that used to crash the server answer 4xx with field messages; API errors are JSON, never a page."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from helpdesk.api.parsers import ERR_SURROGATE
from helpdesk.models import AgentStatus, Ticket
from tests.factories import TicketFactory

pytestmark = pytest.mark.django_db

SURROGATE = "\\ud800"  # as a JSON escape: valid JSON, but no valid text


def _raw(payload: str):
    """A JSON body written by hand, so lone surrogates reach the server as the escape they are."""
    return {"data": payload, "content_type": "application/json"}


def _assert_field_error(response, field: str) -> None:
    assert response.status_code == 400, response.content
    body = json.loads(response.content.decode("utf-8"))  # the answer is encodable text
    assert body[field] == [ERR_SURROGATE]


def test_a_lone_surrogate_in_the_channel_is_a_field_error(api, customer):
    api.force_authenticate(customer)
    payload = f'{{"subject": "s", "body": "b", "channel": "{SURROGATE}"}}'
    _assert_field_error(api.post("/api/tickets/", **_raw(payload)), "channel")
    assert Ticket.objects.count() == 0


@pytest.mark.parametrize("field", ["subject", "body", "customer_email", "organization", "customer_name"])
def test_a_lone_surrogate_in_any_text_field_is_a_field_error(api, staff_user, field):
    api.force_authenticate(staff_user)
    payload = {"subject": "s", "body": "b", "customer_email": "a@b.test"}
    text = json.dumps(payload)[:-1] + f', "{field}": "x{SURROGATE}y"}}'
    _assert_field_error(api.post("/api/tickets/", **_raw(text)), field)


def test_a_lone_surrogate_in_an_agent_status_is_a_field_error(api, agent):
    api.force_authenticate(agent.user)
    response = api.patch(f"/api/agents/{agent.user.username}/", **_raw(f'{{"status": "{SURROGATE}"}}'))
    _assert_field_error(response, "status")
    agent.refresh_from_db()
    assert agent.status == AgentStatus.AVAILABLE


def test_a_lone_surrogate_in_an_escalation_kind_is_a_field_error(api, agent, billing):
    ticket = TicketFactory(team=billing)
    api.force_authenticate(agent.user)
    response = api.post(
        f"/api/tickets/{ticket.pk}/escalate/", **_raw(f'{{"kind": "{SURROGATE}", "reason": "r"}}')
    )
    _assert_field_error(response, "kind")


def test_a_lone_surrogate_nested_or_in_a_key_is_refused(api, customer):
    api.force_authenticate(customer)
    nested = api.post("/api/tickets/", **_raw(f'{{"subject": ["a", {{"b": "{SURROGATE}"}}], "body": "b"}}'))
    _assert_field_error(nested, "subject")
    in_key = api.post("/api/tickets/", **_raw(f'{{"subject": "s", "body": "b", "{SURROGATE}": 1}}'))
    _assert_field_error(in_key, "non_field_errors")


@pytest.mark.parametrize("depth", [33, 5_000, 100_000])
def test_deeply_nested_json_is_a_400(api, customer, depth):
    api.force_authenticate(customer)
    response = api.post("/api/tickets/", **_raw("[" * depth + "]" * depth))
    assert response.status_code == 400
    assert "nested too deeply" in response.json()["non_field_errors"][0]


def test_an_impossible_hour_in_analytics_dates_is_a_field_error(api, lead):
    api.force_authenticate(lead.user)
    for field in ("since", "until"):
        response = api.get("/api/analytics/escalations/", {field: "2025-03-01T25:00:00Z"})
        assert response.status_code == 400
        assert response.json()[field], response.json()


def test_an_impossible_hour_on_the_analytics_page_is_a_form_error(client, lead):
    client.force_login(lead.user)
    response = client.get("/analytics/", {"since": "2025-03-01T25:00:00Z"})
    assert response.status_code in (200, 400)
    assert b"Enter a valid date" in response.content


def test_unknown_api_urls_answer_json_404():
    response = Client().get("/api/no-such-thing/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}


def test_a_wrong_method_answers_json_405(api, customer):
    api.force_authenticate(customer)
    response = api.delete("/api/tickets/")
    assert response.status_code == 405
    assert response["Content-Type"] == "application/json"


def test_pages_outside_the_api_keep_their_html_404(client, customer):
    client.force_login(customer)
    response = client.get("/portal/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_a_json_body_over_the_upload_limit_answers_json_413(api, customer, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    api.force_authenticate(customer)
    body = json.dumps({"subject": "s", "body": "x" * 20_000})
    response = api.post("/api/tickets/", body, content_type="application/json")
    assert response.status_code == 413
    assert response.json()["detail"]
    assert Ticket.objects.count() == 0


def test_a_form_body_over_the_upload_limit_answers_json_413(customer, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    client = Client(raise_request_exception=False)
    client.force_login(customer)
    response = client.post("/api/tickets/", {"subject": "s", "body": "x" * 20_000})
    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"


def test_a_portal_form_over_the_upload_limit_answers_a_413_page(customer, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    client = Client(raise_request_exception=False)
    client.force_login(customer)
    response = client.post("/portal/tickets/new/", {"subject": "s", "body": "x" * 20_000})
    assert response.status_code == 413
    assert b"Too large" in response.content


@pytest.mark.parametrize("query", ["page=", "page=abc", "page=0", "page_size=", "page_size=-3"])
def test_a_page_or_page_size_that_is_no_positive_number_is_a_field_error(api, customer, query):
    api.force_authenticate(customer)
    response = api.get(f"/api/tickets/?{query}")
    assert response.status_code == 400
    field = query.split("=")[0]
    assert response.json()[field] == ["Must be a whole number of at least 1."]


def test_the_last_page_can_be_asked_for_by_name(api, customer):
    api.force_authenticate(customer)
    assert api.get("/api/tickets/?page=last").status_code == 200


def test_a_body_of_a_type_the_operation_does_not_read_answers_json_415(api, agent, billing):
    ticket = TicketFactory(team=billing, assignee=agent)
    api.force_authenticate(agent.user)
    response = api.post(f"/api/tickets/{ticket.pk}/resolve/", data="resolve it", content_type="text/plain")
    assert response.status_code == 415 and "text/plain" in response.json()["detail"]
