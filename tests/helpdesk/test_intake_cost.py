"""What one new ticket costs the database, from `POST /api/tickets/` to its assignment."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token

from helpdesk.models import Ticket
from tests.factories import AgentFactory, CategoryFactory

TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")


def _post(api, n: int):
    return api.post(
        "/api/tickets/",
        {
            "subject": f"Invoice charged twice ({n})",
            "body": "My invoice was charged twice this month, please refund.",
            "customer_email": "returning@example.com",
            "organization": "Example Inc",
        },
        format="json",
    )


@pytest.mark.django_db(transaction=True)  # real commits: the request, then the worker's tasks after it
def test_a_returning_customers_ticket_reaches_an_agent_in_at_most_40_statements(
    api, staff_user, billing, tier1, settings
):
    settings.ESCALATION_POLICY_TTL = 60  # the per-process caches on, as in production
    CategoryFactory(name="Billing", team=billing, keywords=["invoice", "refund"])
    AgentFactory(tier=tier1, teams=[billing], capacity=50)
    AgentFactory(tier=tier1, teams=[billing], capacity=50)
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=staff_user).key}")
    _post(api, 0)  # the customer's first ticket; the caches fill

    with CaptureQueriesContext(connection) as captured:
        response = _post(api, 1)  # tasks run inline at commit (django-q2 sync mode in tests)

    assert Ticket.objects.get(pk=response.json()["id"]).assignee is not None
    work = [
        q["sql"] for q in captured.captured_queries if not q["sql"].upper().startswith(TRANSACTION_CONTROL)
    ]
    # Request, routing batch, SLA clock and the customer's acknowledgement e-mail, with the worker's own
    # bookkeeping (successful tasks are not stored: settings.Q_CLUSTER["save_limit"]).
    assert len(work) <= 40, "\n".join(sql[:120] for sql in work)
