"""The OpenAPI schema at /api/schema/ says what the API does: each request body its own, every error
answer documented, and both audiences' ticket shapes valid against it."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from rest_framework.authtoken.models import Token
from schemathesis.checks import CHECKS, load_all_checks

from helpdesk.models import Status
from tests.factories import TicketFactory

pytestmark = pytest.mark.django_db

load_all_checks()
response_schema_conformance = CHECKS.get_one("response_schema_conformance")


@pytest.fixture(autouse=True)
def _keep_test_connection():
    """As Django's test client does: requests served in-process must not close the test's connection
    (on PostgreSQL that would end the transaction the test data lives in)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def schema(client):
    return client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()


def _body(schema, path: str, method: str) -> dict:
    ref = schema["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    return schema["components"]["schemas"][ref.rsplit("/", 1)[1]]


def test_each_operation_documents_its_own_request_body(schema):
    bodies = {
        ("/api/tickets/", "post"): {"subject", "body", "customer_email", "channel"},
        ("/api/tickets/{id}/messages/", "post"): {"body", "internal"},
        ("/api/tickets/{id}/escalate/", "post"): {"kind", "team", "tier", "reason"},
        ("/api/tickets/{id}/resolve/", "post"): {"reason"},
        ("/api/tickets/{id}/csat/", "post"): {"score", "comment"},
    }
    for (path, method), fields in bodies.items():
        assert set(_body(schema, path, method)["properties"]) >= fields, path
    assert _body(schema, "/api/tickets/{id}/escalate/", "post")["required"] == ["kind", "reason"]
    assert _body(schema, "/api/tickets/{id}/csat/", "post")["required"] == ["score"]


def test_customer_email_says_who_must_give_it(schema):
    described = _body(schema, "/api/tickets/", "post")["properties"]["customer_email"]["description"]
    assert "Required for staff and integration accounts" in described
    assert "Optional for customers" in described


def test_every_operation_documents_its_errors(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            assert {"401", "403", "429"} <= set(responses), (method, path)
            if "{" in path:
                assert "404" in responses, (method, path)
            if method in ("post", "patch"):
                assert {"400", "413", "415"} <= set(responses), (method, path)
                ref = responses["400"]["content"]["application/json"]["schema"]["$ref"]
                assert ref.endswith("/FieldErrors")
            assert responses["403"]["content"]["application/json"]["schema"]["$ref"].endswith("/Error")


def test_both_audiences_get_tickets_the_schema_describes(customer, agent, billing):
    ticket = TicketFactory(customer=customer, team=billing, assignee=agent, status=Status.OPEN)
    live = schemathesis.openapi.from_wsgi("/api/schema/", WSGIHandler())
    cases = [
        live["/api/tickets/{id}/"]["GET"].Case(path_parameters={"id": str(ticket.pk)}),
        live["/api/tickets/"]["GET"].Case(),
    ]
    for user in (customer, agent.user):
        token = Token.objects.create(user=user).key
        for case in cases:
            response = case.call_and_validate(
                headers={"Authorization": f"Token {token}"}, checks=[response_schema_conformance]
            )
            assert response.status_code == 200
    shapes = live.raw_schema["components"]["schemas"]["TicketForAudience"]["anyOf"]
    assert {s["$ref"].rsplit("/", 1)[1] for s in shapes} == {"Ticket", "CustomerTicket"}
