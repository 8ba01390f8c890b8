"""The REST API as the contract describes it: shapes, permissions, and 4xx (never 5xx) on bad input."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from rest_framework.authtoken.models import Token

from helpdesk.models import Organization, Status, Ticket
from tests.factories import TicketFactory

pytestmark = pytest.mark.django_db

# Intake of a returning customer: the customer, triage's repeat contacts, one transaction of four inserts
# (ticket, message, event, live row); plus four reloads of per-process caches that tests keep for 0 s.
# PostgreSQL adds the NOTIFY that wakes the web processes' live relay.
QUERIES_PER_CREATE = 12

CONTRACT_FIELDS = {
    "id",
    "subject",
    "body",
    "status",
    "priority",
    "priority_score",
    "category",
    "team",
    "tier",
    "assignee",
    "sentiment",
    "escalation_probability",
    "confidence",
    "autonomy",
    "sla",
    "created_at",
    "updated_at",
}


def test_unauthenticated_requests_get_401(api):
    assert api.get("/api/tickets/").status_code == 401
    assert api.post("/api/tickets/", {}, format="json").status_code == 401


def test_integration_token_creates_a_ticket_for_a_new_customer(api, staff_user):
    token = Token.objects.create(user=staff_user)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = api.post(
        "/api/tickets/",
        {
            "subject": "Cannot log in",
            "body": "Since this morning.",
            "customer_email": "New.Person@Example.com",
            "customer_name": "New Person",
            "organization": "Example Inc",
            "channel": "email",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    data = response.json()
    assert set(data) >= CONTRACT_FIELDS
    assert set(data["sla"]) >= {"first_response_due", "resolution_due", "breached"}
    assert data["status"] == "new" and data["channel"] == "email"
    user = get_user_model().objects.get(email="new.person@example.com")
    assert not user.has_usable_password()
    assert user.customer.organization.name == "Example Inc"
    assert Ticket.objects.get(pk=data["id"]).customer == user


def test_existing_customer_keeps_their_organization(api, staff_user, customer):
    api.force_authenticate(staff_user)
    response = api.post(
        "/api/tickets/",
        {"subject": "s", "body": "b", "customer_email": customer.email, "organization": "Elsewhere"},
        format="json",
    )
    assert response.status_code == 201
    assert Ticket.objects.get(pk=response.json()["id"]).organization == customer.customer.organization
    assert not Organization.objects.filter(name="Elsewhere").exists()


def test_customers_create_tickets_for_themselves_only(api, customer):
    api.force_authenticate(customer)
    ok = api.post("/api/tickets/", {"subject": "s", "body": "b"}, format="json")
    assert ok.status_code == 201
    assert Ticket.objects.get(pk=ok.json()["id"]).customer == customer
    other = api.post(
        "/api/tickets/", {"subject": "s", "body": "b", "customer_email": "someone@else.test"}, format="json"
    )
    assert other.status_code == 400
    assert "customer_email" in other.json()


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        ({}, {"subject", "body", "customer_email"}),
        ({"subject": "", "body": "b", "customer_email": "a@b.test"}, {"subject"}),
        ({"subject": "s" * 201, "body": "b", "customer_email": "a@b.test"}, {"subject"}),
        ({"subject": "s", "body": "b" * 20_001, "customer_email": "a@b.test"}, {"body"}),
        ({"subject": "s", "body": "b", "customer_email": "not-an-email"}, {"customer_email"}),
        ({"subject": "s", "body": "b", "customer_email": "a@b.test", "channel": "pigeon"}, {"channel"}),
        ({"subject": "s\x00", "body": "b", "customer_email": "a@b.test"}, {"subject"}),
        ({"subject": ["list"], "body": {"a": 1}, "customer_email": 5}, {"subject", "body", "customer_email"}),
        ({"subject": "s", "body": "b", "customer_email": "a@b.test", "category": "Nope"}, {"category"}),
    ],
)
def test_bad_ticket_input_gets_400_with_field_messages(api, staff_user, payload, fields):
    api.force_authenticate(staff_user)
    response = api.post("/api/tickets/", payload, format="json")
    assert response.status_code == 400
    assert fields <= set(response.json())
    assert all(isinstance(messages, list) and messages for messages in response.json().values())
    assert Ticket.objects.count() == 0


@pytest.mark.parametrize("body", ["[1, 2]", "not json", "null", '"string"'])
def test_malformed_bodies_get_400(api, staff_user, body):
    api.force_authenticate(staff_user)
    response = api.post("/api/tickets/", body, content_type="application/json")
    assert response.status_code == 400


def test_list_is_filtered_paginated_and_scoped(
    api, customer, other_customer, agent, billing, technical, tier2
):
    TicketFactory.create_batch(3, customer=customer, team=billing)
    TicketFactory(customer=other_customer, team=technical, tier=tier2, status=Status.OPEN)
    api.force_authenticate(customer)
    data = api.get("/api/tickets/").json()
    assert data["count"] == 3 and len(data["results"]) == 3
    api.force_authenticate(agent.user)
    assert api.get("/api/tickets/").json()["count"] == 3  # Billing only
    api.force_authenticate(None)
    lead_like = get_user_model().objects.create(username="boss", is_staff=True)
    api.force_authenticate(lead_like)
    assert api.get("/api/tickets/?team=Technical").json()["count"] == 1
    assert api.get("/api/tickets/?tier=2&status=open").json()["count"] == 1
    assert api.get("/api/tickets/?page_size=2").json()["next"] is not None
    for bad in ("?status=bogus", "?tier=abc", "?tier=999999999999999999999", "?priority=%00"):
        assert api.get("/api/tickets/" + bad).status_code == 400, bad
    assert api.get("/api/tickets/?page=999").status_code == 404


def test_list_query_count_is_constant(api, staff_user, billing, django_assert_max_num_queries):
    api.force_authenticate(staff_user)
    TicketFactory.create_batch(2, team=billing)
    with django_assert_max_num_queries(10) as few:
        api.get("/api/tickets/")
    TicketFactory.create_batch(20, team=billing)
    with django_assert_max_num_queries(len(few.captured_queries)):
        api.get("/api/tickets/")


def test_other_customers_tickets_are_404(api, customer, other_customer):
    theirs = TicketFactory(customer=other_customer)
    api.force_authenticate(customer)
    for path in ("", "messages/", "resolve/", "csat/"):
        method = api.get if path in ("", "messages/") else api.post
        assert method(f"/api/tickets/{theirs.pk}/{path}", {}, format="json").status_code == 404
    assert api.get("/api/tickets/99999999999999999999999/").status_code == 404


def test_messages_replies_and_internal_notes(api, customer, agent, billing):
    ticket = TicketFactory(customer=customer, team=billing)
    api.force_authenticate(agent.user)
    assert (
        api.post(
            f"/api/tickets/{ticket.pk}/messages/", {"body": "Secret", "internal": True}, format="json"
        ).status_code
        == 201
    )
    assert (
        api.post(f"/api/tickets/{ticket.pk}/messages/", {"body": "Hello"}, format="json").status_code == 201
    )
    assert api.post(f"/api/tickets/{ticket.pk}/messages/", {"body": ""}, format="json").status_code == 400
    api.force_authenticate(customer)
    bodies = [m["body"] for m in api.get(f"/api/tickets/{ticket.pk}/messages/").json()]
    assert bodies == ["Hello"]
    refused = api.post(f"/api/tickets/{ticket.pk}/messages/", {"body": "x", "internal": True}, format="json")
    assert refused.status_code == 400 and "internal" in refused.json()


def test_escalate_resolve_and_rate(api, customer, agent, lead, billing, technical, tier1, tier2):
    ticket = TicketFactory(customer=customer, team=billing, tier=tier1, assignee=agent, status=Status.OPEN)
    api.force_authenticate(agent.user)
    bad = api.post(f"/api/tickets/{ticket.pk}/escalate/", {"kind": "hierarchical"}, format="json")
    assert bad.status_code == 400 and "reason" in bad.json()
    assert (
        api.post(
            f"/api/tickets/{ticket.pk}/escalate/",
            {"kind": "functional", "team": "Nope", "reason": "x"},
            format="json",
        ).status_code
        == 400
    )
    up = api.post(
        f"/api/tickets/{ticket.pk}/escalate/", {"kind": "hierarchical", "reason": "Needs L2"}, format="json"
    )
    assert up.status_code == 200 and up.json()["tier"] == 2 and up.json()["assignee"] is None

    api.force_authenticate(customer)
    assert (
        api.post(
            f"/api/tickets/{ticket.pk}/escalate/", {"kind": "hierarchical", "reason": "x"}, format="json"
        ).status_code
        == 403
    )
    assert (
        api.post(f"/api/tickets/{ticket.pk}/csat/", {"score": 5}, format="json").status_code == 400
    )  # not resolved yet

    api.force_authenticate(agent.user)  # tier 1: the ticket is with tier 2 now
    assert api.post(f"/api/tickets/{ticket.pk}/resolve/", {}, format="json").status_code == 403
    api.force_authenticate(lead.user)
    resolved = api.post(f"/api/tickets/{ticket.pk}/resolve/", {}, format="json")
    assert resolved.status_code == 200 and resolved.json()["status"] == "resolved"
    assert api.post(f"/api/tickets/{ticket.pk}/resolve/", {}, format="json").status_code == 400
    assert api.post(f"/api/tickets/{ticket.pk}/csat/", {"score": 5}, format="json").status_code == 403

    api.force_authenticate(customer)
    for bad_score in (0, 6, "five", None):
        assert (
            api.post(f"/api/tickets/{ticket.pk}/csat/", {"score": bad_score}, format="json").status_code
            == 400
        )
    rated = api.post(f"/api/tickets/{ticket.pk}/csat/", {"score": 4, "comment": "ok"}, format="json")
    assert rated.status_code == 201 and rated.json()["score"] == 4
    assert api.post(f"/api/tickets/{ticket.pk}/csat/", {"score": 5}, format="json").status_code == 400


def test_agent_status_patch(api, agent, outsider, customer):
    api.force_authenticate(agent.user)
    response = api.patch("/api/agents/ana/", {"status": "away"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "away"
    assert api.patch("/api/agents/ana/", {"status": "asleep"}, format="json").status_code == 400
    assert api.patch("/api/agents/otto/", {"status": "away"}, format="json").status_code == 403
    assert api.patch("/api/agents/nobody/", {"status": "away"}, format="json").status_code == 404
    api.force_authenticate(customer)
    assert api.patch("/api/agents/ana/", {"status": "offline"}, format="json").status_code == 403


def test_routing_endpoint_lists_decisions_for_staff_only(api, customer, agent, billing):
    ticket = TicketFactory(customer=customer, team=billing)
    api.force_authenticate(agent.user)
    assert api.get(f"/api/tickets/{ticket.pk}/routing/").json() == []
    api.force_authenticate(customer)
    assert api.get(f"/api/tickets/{ticket.pk}/routing/").status_code == 403


def test_openapi_schema_is_served(api, staff_user):
    response = api.get("/api/schema/")
    assert response.status_code == 200
    assert b"/api/tickets/{id}/routing/" in response.content


@pytest.mark.postgres
def test_concurrent_first_tickets_from_one_new_customer_both_succeed(transactional_db, staff_user):
    """Two integrations report the same new customer at once: one user, two tickets, no 500."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection
    from rest_framework.test import APIClient

    def create(n: int) -> int:
        client = APIClient()
        client.force_authenticate(staff_user)
        try:
            return client.post(
                "/api/tickets/",
                {"subject": f"s{n}", "body": "b", "customer_email": "race@example.com"},
                format="json",
            ).status_code
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=4) as pool:
        codes = list(pool.map(create, range(8)))
    assert codes == [201] * 8
    assert get_user_model().objects.filter(email="race@example.com").count() == 1
    assert Ticket.objects.filter(customer__email="race@example.com").count() == 8


def test_create_answers_with_what_a_read_returns(api, staff_user, customer, django_assert_max_num_queries):
    """The 201 body is built from the saved instance (no re-read), so it must match a later GET."""
    api.force_authenticate(staff_user)
    payload = {"subject": "Refund", "body": "Charged twice for May.", "customer_email": customer.email}
    api.post("/api/tickets/", payload, format="json")  # first call loads the per-process caches
    with django_assert_max_num_queries(QUERIES_PER_CREATE + (connection.vendor == "postgresql")):
        created = api.post("/api/tickets/", payload, format="json").json()
    fetched = api.get(f"/api/tickets/{created['id']}/").json()
    created["sla"].pop("seconds_left"), fetched["sla"].pop("seconds_left")
    assert created == fetched


def test_the_api_index_points_to_the_collections_and_the_docs(api):
    index = api.get("/api/")
    assert index.status_code == 200
    links = index.json()
    assert links["tickets"].endswith("/api/tickets/") and links["docs"].endswith("/api/docs/")
    assert api.get(links["schema"]).status_code == 200
    refused = api.post("/api/", {"x": 1}, format="json")
    assert refused.status_code == 405 and "detail" in refused.json()  # links only: nothing to write
