"""A customer reading their own ticket through the API gets what the portal shows them; staff the full ticket."""

from __future__ import annotations

import pytest

from helpdesk.models import AuthorKind, Status
from tests.factories import MessageFactory, TicketFactory, UserFactory

pytestmark = pytest.mark.django_db

INTERNALS = {
    "team",
    "tier",
    "assignee",
    "priority",
    "priority_score",
    "category",
    "sentiment",
    "frustration",
    "escalation_probability",
    "confidence",
    "autonomy",
    "requires_human",
    "sla",
    "escalation_count",
}
STAFF_FIELDS = {
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


@pytest.fixture
def routed(customer, agent, billing, tier1):
    """A ticket routed to the Billing agent, with a public reply and an internal note."""
    agent.user.first_name = "Ana"
    agent.user.save()
    ticket = TicketFactory(
        customer=customer,
        team=billing,
        tier=tier1,
        assignee=agent,
        status=Status.OPEN,
        sentiment=-0.6,
        escalation_probability=0.8,
        confidence=0.9,
    )
    MessageFactory(ticket=ticket, author=agent.user, author_kind=AuthorKind.AGENT, body="We are on it.")
    MessageFactory(
        ticket=ticket,
        author=agent.user,
        author_kind=AuthorKind.AGENT,
        body="VIP, watch out",
        is_internal=True,
    )
    return ticket


def _no_internals(data: dict) -> None:
    assert not INTERNALS & set(data), INTERNALS & set(data)
    assert "ana" not in str(data)  # the agent's username appears nowhere


def test_a_customer_reads_their_ticket_without_routing_internals(api, customer, routed):
    api.force_authenticate(customer)
    detail = api.get(f"/api/tickets/{routed.pk}/").json()
    _no_internals(detail)
    assert detail["subject"] == routed.subject and detail["status"] == "open"
    listed = api.get("/api/tickets/").json()["results"]
    assert [t["id"] for t in listed] == [routed.pk]
    _no_internals(listed[0])


def test_a_customer_reads_the_conversation_as_the_portal_shows_it(api, customer, routed):
    api.force_authenticate(customer)
    messages = api.get(f"/api/tickets/{routed.pk}/messages/").json()
    assert [(m["body"], m["author"]) for m in messages] == [("We are on it.", "Ana (support)")]
    assert "ana" not in str(messages)


def test_what_a_customer_creates_resolves_or_posts_comes_back_in_their_shape(api, customer, routed):
    api.force_authenticate(customer)
    created = api.post("/api/tickets/", {"subject": "Help", "body": "Please"}, format="json")
    assert created.status_code == 201
    _no_internals(created.json())
    posted = api.post(f"/api/tickets/{routed.pk}/messages/", {"body": "Thanks"}, format="json")
    assert posted.status_code == 201
    assert posted.json()["author"] == customer.get_full_name() and posted.json()["internal"] is False
    resolved = api.post(f"/api/tickets/{routed.pk}/resolve/", {}, format="json")
    assert resolved.status_code == 200
    _no_internals(resolved.json())


def test_routing_decisions_are_refused_to_customers(api, customer, routed):
    api.force_authenticate(customer)
    assert api.get(f"/api/tickets/{routed.pk}/routing/").status_code == 403


def test_staff_keep_the_full_ticket_of_the_contract(api, agent, routed):
    api.force_authenticate(agent.user)
    detail = api.get(f"/api/tickets/{routed.pk}/").json()
    assert set(detail) >= STAFF_FIELDS
    assert (detail["team"], detail["tier"], detail["assignee"]) == ("Billing", 1, "ana")
    bodies = [m["body"] for m in api.get(f"/api/tickets/{routed.pk}/messages/").json()]
    assert bodies == ["We are on it.", "VIP, watch out"]


def test_integration_accounts_get_the_full_ticket(api, routed):
    api.force_authenticate(UserFactory(username="crm", is_staff=True))
    assert set(api.get(f"/api/tickets/{routed.pk}/").json()) >= STAFF_FIELDS
