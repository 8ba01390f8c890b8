"""Full-text search: what an agent or a customer finds, ranked, with the passage that matched — on the
database the suite runs on (SQLite FTS5 by default, PostgreSQL tsvector with DATABASE_URL)."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from helpdesk.models import Message
from helpdesk.services import message_add
from tests.factories import CustomerFactory, OrganizationFactory, TicketFactory, UserFactory

pytestmark = pytest.mark.django_db


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


@pytest.fixture
def tickets(billing, technical, customer, other_customer):
    refund = TicketFactory(subject="Refund for a double charge", team=billing, customer=customer)
    login = TicketFactory(
        subject="Cannot log in",
        body="The password reset mail never arrives.",
        team=billing,
        customer=customer,
    )
    outage = TicketFactory(subject="Dashboard down", team=technical, customer=other_customer)
    return {"refund": refund, "login": login, "outage": outage}


def test_agent_finds_words_in_subject_messages_and_notes_ranked(agent, tickets):
    login = tickets["login"]
    message_add(ticket=login, author=agent.user, body="Sent a new link; the refund team is not involved.")
    message_add(
        ticket=tickets["refund"], author=agent.user, body="Checked the ledger: zebracorn id 7", internal=True
    )
    client = _client(agent.user)

    # Subject beats a passing mention in a reply.
    assert _ids(client.get("/api/tickets/", {"search": "refund"})) == [tickets["refund"].pk, login.pk]
    # A prefix finds the word; every word must match.
    assert _ids(client.get("/api/tickets/", {"search": "passw rese"})) == [login.pk]
    assert _ids(client.get("/api/tickets/", {"search": "password refund"})) == [login.pk]
    # Internal notes are searched for agents.
    assert _ids(client.get("/api/tickets/", {"search": "zebracorn"})) == [tickets["refund"].pk]
    # The other team's ticket stays out of reach.
    assert _ids(client.get("/api/tickets/", {"search": "dashboard"})) == []


def test_customers_never_find_internal_notes_or_other_customers_tickets(agent, customer, tickets):
    message_add(ticket=tickets["refund"], author=agent.user, body="zebracorn suspicion", internal=True)
    client = _client(customer)
    assert _ids(client.get("/api/tickets/", {"search": "zebracorn"})) == []
    assert _ids(client.get("/api/tickets/", {"search": "dashboard"})) == []
    assert _ids(client.get("/api/tickets/", {"search": "refund"})) == [tickets["refund"].pk]


def test_customer_name_email_and_organization_are_searched(lead, billing):
    org = OrganizationFactory(name="Globex Corporation")
    person = CustomerFactory(
        user=UserFactory(
            username="hank@globex.test", email="hank@globex.test", first_name="Hank", last_name="Scorpio"
        ),
        organization=org,
    ).user
    ticket = TicketFactory(subject="Question", customer=person, organization=org, team=billing)
    client = _client(lead.user)
    for text in ("scorpio", "hank@globex.test", "globex", "Globex Corp"):
        assert _ids(client.get("/api/tickets/", {"search": text})) == [ticket.pk], text


def test_ticket_number_comes_first_and_filters_combine(lead, tickets):
    client = _client(lead.user)
    refund = tickets["refund"]
    assert _ids(client.get("/api/tickets/", {"search": f"#{refund.pk}"}))[0] == refund.pk
    assert _ids(client.get("/api/tickets/", {"search": "refund", "status": "resolved"})) == []
    assert _ids(client.get("/api/tickets/", {"search": "refund", "team": "Billing"})) == [refund.pk]


def test_snippet_marks_the_match_and_escapes_what_the_customer_wrote(lead, customer, billing):
    ticket = TicketFactory(subject="Odd", team=billing, customer=customer)
    message_add(ticket=ticket, author=customer, body='Hello <script>alert("x")</script> my invoice is wrong')
    response = _client(lead.user).get("/api/tickets/", {"search": "invoice"})
    [row] = response.json()["results"]
    snippet = row["search"]["snippet"]
    assert "<mark>invoice</mark>" in snippet
    assert "<script>" not in snippet and "&lt;script&gt;" in snippet
    assert row["search"]["rank"] > 0


def test_search_follows_moved_edited_and_deleted_messages(lead, billing, customer):
    ticket = TicketFactory(subject="First", team=billing, customer=customer)
    message = message_add(ticket=ticket, author=customer, body="quasar trouble")
    client = _client(lead.user)
    assert _ids(client.get("/api/tickets/", {"search": "quasar"})) == [ticket.pk]
    Message.objects.filter(pk=message.pk).update(body="nebula trouble")
    assert _ids(client.get("/api/tickets/", {"search": "quasar"})) == []
    assert _ids(client.get("/api/tickets/", {"search": "nebula"})) == [ticket.pk]
    Message.objects.filter(pk=message.pk).delete()
    assert _ids(client.get("/api/tickets/", {"search": "nebula"})) == []


@pytest.mark.parametrize("text", ['"', "'", "*", "a:b", "(", "&|!", "NEAR(", "\\", "x" * 500, "é", "'':*"])
def test_odd_input_never_fails(lead, tickets, text):
    response = _client(lead.user).get("/api/tickets/", {"search": text})
    assert response.status_code in (200, 400)


@pytest.mark.django_db(transaction=True)  # the foreign keys are checked at commit
def test_a_deleted_ticket_with_a_conversation_leaves_the_search(lead, agent, tickets):
    login = tickets["login"]
    message_add(ticket=login, author=agent.user, body="Sent a new zebracorn link.")
    login.delete()
    assert _ids(_client(lead.user).get("/api/tickets/", {"search": "zebracorn"})) == []
