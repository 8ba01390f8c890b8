"""Schemathesis against the live schema: every operation, every check, generated inputs, 0 failures.

Runs in-process through Django's WSGI handler against the test database, signed in with an integration
token (the account that reaches every operation) over a small cast of tickets. Examples per operation
are kept small so the suite stays fast; CI runs it on SQLite and on PostgreSQL.

The examples are the same on every run (derandomized), so a red CI means a change broke something, not
that this run happened to draw a new input. `FUZZ_EXPLORE=1` draws new ones each run, with more of
them: run it now and then, and turn what it finds into a fix and a test of its own.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import CHECKS, load_all_checks

from helpdesk.models import Status
from tests.factories import TicketFactory

load_all_checks()
ALL_CHECKS = [CHECKS.get_one(name) for name in CHECKS.get_all_names()]
EXPLORE = bool(os.environ.get("FUZZ_EXPLORE"))
MAX_EXAMPLES = 50 if EXPLORE else 10


# A schema-valid request may still be refused with 400 where it names an object by a name the schema
# cannot list (a team, tier, category or agent that does not exist) or asks for what the ticket's state
# does not allow (resolving a resolved ticket). Those operations also expect 400 from valid input;
# every other operation must accept what its schema allows.
REFERS_OR_CHANGES_STATE = [
    {"include-method": "GET", "include-path-regex": "^/api/analytics/"},
    {"include-method": "POST", "include-path": "/api/tickets/"},
    # A change names an assignee by username and must change something (status moves follow the workflow).
    {"include-method": "PATCH", "include-path": "/api/tickets/{id}/"},
    # The account manager is named by username.
    {"include-method": "PATCH", "include-path": "/api/organizations/{id}/"},
    {
        "include-method": "POST",
        "include-path-regex": r"^/api/tickets/\{id\}/(escalate|resolve|messages|csat)/$",
    },
]
CONFIG = schemathesis.config.SchemathesisConfig.from_dict(
    {
        "operations": [
            {
                **selector,
                "checks": {
                    "positive_data_acceptance": {
                        # 422: generated requests reuse an Idempotency-Key with a different body,
                        # which the schema documents as refused.
                        "expected-statuses": ["2xx", "3xx", "400", "401", "403", "404", "409", "422", "429"]
                    }
                },
            }
            for selector in REFERS_OR_CHANGES_STATE
        ]
    }
)


@schemathesis.serializer("message/rfc822")
def raw_email(ctx, value):
    """The inbound e-mail webhook takes the message's bytes as they are."""
    if isinstance(value, bytes):
        return value
    return str(value).encode()


# Generating the schema reads no data, so it loads once, when the tests are collected.
schema = schemathesis.openapi.from_wsgi("/api/schema/", WSGIHandler(), config=CONFIG)


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
def cast(db, staff_user, customer, agent, billing, technical, tier1, tier2):
    """Tickets for the operations to find, and the integration token they are called with."""
    for status in (Status.NEW, Status.OPEN, Status.RESOLVED):
        TicketFactory(customer=customer, team=billing, tier=tier1, status=status)
    TicketFactory(customer=customer, team=technical, tier=tier2, assignee=agent, status=Status.OPEN)
    return Token.objects.create(user=staff_user).key


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    derandomize=not EXPLORE,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.function_scoped_fixture,
    ],
)
def test_every_operation_holds_to_its_schema(case, cast):
    case.call_and_validate(headers={"Authorization": f"Token {cast}"}, checks=ALL_CHECKS)
