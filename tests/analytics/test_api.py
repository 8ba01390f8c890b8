"""GET /api/analytics/escalations/ (contract) and the per-page endpoints."""

from __future__ import annotations

import pytest
from rest_framework.authtoken.models import Token

from analytics.api import ERR_BY
from analytics.filters import ERR_RANGE_ORDER
from analytics.metrics import PAGES

URL = "/api/analytics/escalations/"
RANGE = {"since": "2025-03-03", "until": "2025-03-16"}


def test_escalation_rate_by_team(api, lead, escalation_history):
    api.force_authenticate(lead.user)
    response = api.get(URL, {"by": "team", **RANGE})
    assert response.status_code == 200
    body = response.json()
    assert (body["by"], body["since"], body["until"]) == ("team", "2025-03-03", "2025-03-16")
    assert body["total"] == {
        "key": None,
        "label": "All tickets",
        "tickets": 6,
        "escalated": 4,
        "escalations": 6,
        "escalation_rate": pytest.approx(4 / 6),
    }
    assert [(r["key"], r["tickets"], r["escalated"], r["escalation_rate"]) for r in body["results"]] == [
        ("Billing", 4, 3, 0.75),
        ("Technical", 4, 2, 0.5),
    ]


@pytest.mark.parametrize(
    ("by", "keys"),
    [
        ("tier", [1, 2, 3]),
        ("category", ["API", "Invoices"]),
        ("segment", ["enterprise", "standard"]),
        ("agent", ["ana", "bea", "lena", "otto"]),
        ("channel", ["email", "portal"]),
    ],
)
def test_every_dimension_of_the_contract(api, lead, escalation_history, by, keys):
    api.force_authenticate(lead.user)
    response = api.get(URL, {"by": by, **RANGE})
    assert response.status_code == 200
    assert [r["key"] for r in response.json()["results"]] == keys


def test_integration_tokens_may_read_analytics(api, staff_user, escalation_history):
    token = Token.objects.create(user=staff_user)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert api.get(URL, {"by": "channel", **RANGE}).json()["total"]["tickets"] == 6


def test_agents_get_their_own_numbers_only(api, agent, escalation_history):
    api.force_authenticate(agent.user)
    body = api.get(URL, {"by": "agent", "agent": "otto", **RANGE}).json()
    assert [r["key"] for r in body["results"]] == ["ana"]
    assert body["total"]["tickets"] == 3


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"by": "weather"}, "by", ERR_BY),
        ({"since": "2025-13-01"}, "since", "Enter a valid date."),
        ({"since": "2025-03-16", "until": "2025-03-03"}, "until", ERR_RANGE_ORDER),
        (
            {"agent": "nobody"},
            "agent",
            "Select a valid choice. That choice is not one of the available choices.",
        ),
        ({"segment": "gold"}, "segment", "Select a valid choice. gold is not one of the available choices."),
    ],
)
def test_bad_parameters_are_400_with_field_messages(api, lead, params, field, message):
    api.force_authenticate(lead.user)
    response = api.get(URL, params)
    assert response.status_code == 400
    assert response.json() == {field: [message]}


def test_customers_are_forbidden_and_strangers_unauthorized(api, customer):
    assert api.get(URL).status_code == 401
    api.force_authenticate(customer)
    assert api.get(URL).status_code == 403
    assert api.get("/api/analytics/pages/timing/").status_code == 403


@pytest.mark.parametrize("page", list(PAGES))
def test_each_page_has_the_same_numbers_as_json(api, lead, escalation_history, page):
    api.force_authenticate(lead.user)
    response = api.get(f"/api/analytics/pages/{page}/", RANGE)
    assert response.status_code == 200
    body = response.json()
    assert body["page"] == page and body["filters"] == RANGE and body["tables"]


def test_page_json_matches_the_report(api, lead, escalation_history):
    api.force_authenticate(lead.user)
    body = api.get("/api/analytics/pages/paths/", RANGE).json()
    assert body["stats"]["ping_pong_tickets"] == 1
    assert body["tables"]["paths"]["rows"][0]["path"] == "Billing L1 → Technical L1"
    assert api.get("/api/analytics/pages/nonsense/").status_code == 404


def test_the_openapi_schema_lists_the_endpoints(api, lead):
    api.force_authenticate(lead.user)
    schema = api.get("/api/schema/").content.decode()
    assert "/api/analytics/escalations/" in schema and "/api/analytics/pages/{page}/" in schema


def test_dates_may_be_given_as_iso_date_times(api, lead, escalation_history):
    api.force_authenticate(lead.user)
    body = api.get(URL, {"since": "2025-03-03T00:00:00Z", "until": "2025-03-16T23:59:59+00:00"}).json()
    assert (body["since"], body["until"], body["total"]["tickets"]) == ("2025-03-03", "2025-03-16", 6)


@pytest.mark.parametrize("field", ["team", "tier", "category", "agent", "segment", "channel", "since", "by"])
def test_odd_characters_in_any_parameter_are_a_400_not_a_500(api, lead, field):
    api.force_authenticate(lead.user)
    response = api.get(URL, {field: "bad\x00value"})
    assert response.status_code == 400
    assert field in response.json()
