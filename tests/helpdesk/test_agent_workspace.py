"""The agent workspace: queues, the ticket page, htmx actions and who may see what."""

from __future__ import annotations

import pytest

from helpdesk.models import AuthorKind, Priority, Status
from tests.factories import MessageFactory, OrganizationFactory, TicketFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def test_customers_are_refused_the_workspace(customer_client):
    assert customer_client.get("/agent/").status_code == 403


def test_sign_in_sends_each_user_to_their_workspace(client, agent, customer):
    agent.user.set_password("pw-123456")
    agent.user.save()
    response = client.post("/accounts/login/", {"username": "ana", "password": "pw-123456"}, follow=True)
    assert response.redirect_chain[-1][0] == "/agent/"


def test_agent_sees_their_teams_tickets_not_others(agent_client, billing, technical):
    TicketFactory(team=billing, subject="Billing thing")
    TicketFactory(team=technical, subject="Technical thing")
    page = agent_client.get("/agent/?queue=team").content.decode()
    assert "Billing thing" in page and "Technical thing" not in page


def test_leads_see_every_queue(client, lead, billing, technical):
    TicketFactory(team=billing, subject="Billing thing")
    TicketFactory(subject="Not triaged yet")
    client.force_login(lead.user)
    page = client.get("/agent/?queue=all").content.decode()
    assert "Billing thing" in page and "Not triaged yet" in page


def test_queues_filter_and_sort(agent_client, agent, billing):
    low = TicketFactory(team=billing, subject="Low one", priority=Priority.LOW, priority_score=10)
    urgent = TicketFactory(team=billing, subject="Urgent one", priority=Priority.URGENT, priority_score=90)
    mine = TicketFactory(team=billing, subject="My own", assignee=agent, priority_score=50)
    TicketFactory(team=billing, subject="Done", status=Status.RESOLVED)
    page = agent_client.get("/agent/?queue=team&sort=priority").content.decode()
    rows = [page.index(f'id="ticket-row-{t.pk}"') for t in (urgent, mine, low)]
    assert rows == sorted(rows)
    assert "Done" not in page  # open tickets by default
    assert "Done" in agent_client.get("/agent/?queue=team&status=any").content.decode()
    mine_page = agent_client.get("/agent/?queue=mine").content.decode()
    assert "My own" in mine_page and "Urgent one" not in mine_page
    urgent = agent_client.get("/agent/?queue=team&priority=urgent").content.decode()
    assert "Urgent one" in urgent and "Low one" not in urgent


def test_bad_queue_parameters_fall_back_to_defaults(agent_client):
    for query in (
        "?page=abc",
        "?page=99999999",
        "?tier=x",
        "?team=9999999999999999999999",
        "?sort=drop",
        "?status=%00",
        "?queue=nope",
    ):
        assert agent_client.get("/agent/" + query).status_code == 200


def test_htmx_filtering_returns_only_the_table(agent_client, billing):
    TicketFactory(team=billing, subject="Billing thing")
    response = agent_client.get("/agent/?queue=team", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="queue-table")
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="queue-table"')
    assert "Billing thing" in body and "<html" not in body


def test_queue_query_count_does_not_grow_with_rows(agent_client, billing, django_assert_max_num_queries):
    TicketFactory.create_batch(3, team=billing)
    # 12 for the queue itself, plus the saved views (tabs) and the bulk bar's agents.
    with django_assert_max_num_queries(14) as few:
        agent_client.get("/agent/?queue=team")
    TicketFactory.create_batch(20, team=billing)
    with django_assert_max_num_queries(len(few.captured_queries)):
        agent_client.get("/agent/?queue=team")


def test_ticket_page_shows_the_full_context(agent_client, customer, billing):
    org = customer.customer.organization
    org.annual_contract_value, org.churn_risk = 120_000, 0.7
    org.save()
    earlier = TicketFactory(
        customer=customer, team=billing, subject="Earlier problem", status=Status.RESOLVED
    )
    ticket = TicketFactory(customer=customer, team=billing, subject="Current problem")
    MessageFactory(ticket=ticket, body="Customer words")
    MessageFactory(
        ticket=ticket, author=None, author_kind=AuthorKind.AGENT, body="Private note", is_internal=True
    )
    page = agent_client.get(f"/agent/tickets/{ticket.pk}/").content.decode()
    for expected in (
        org.name,
        "$120,000",
        "70%",
        "Earlier problem",
        "Customer words",
        "Private note",
        "Internal note",
        "History",
    ):
        assert expected in page
    assert earlier.pk != ticket.pk


def test_agents_cannot_open_other_teams_tickets(client, outsider, billing):
    ticket = TicketFactory(team=billing)
    client.force_login(outsider.user)
    assert client.get(f"/agent/tickets/{ticket.pk}/").status_code == 404
    assert client.post(f"/agent/tickets/{ticket.pk}/action/", {"action": "take"}).status_code == 404


def test_reply_with_htmx_rerenders_the_workspace(agent_client, billing):
    ticket = TicketFactory(team=billing)
    response = agent_client.post(
        f"/agent/tickets/{ticket.pk}/action/", {"action": "reply", "body": "We are on it"}, **HTMX
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<div id="workspace"')
    assert "We are on it" in body
    ticket.refresh_from_db()
    assert ticket.first_response_at is not None


def test_plain_post_redirects_back_to_the_ticket(agent_client, billing):
    ticket = TicketFactory(team=billing)
    response = agent_client.post(
        f"/agent/tickets/{ticket.pk}/action/", {"action": "note", "body": "note text"}
    )
    assert response.status_code == 302 and response["Location"] == f"/agent/tickets/{ticket.pk}/"
    assert ticket.messages.get().is_internal


def test_escalation_without_reason_shows_the_error_in_the_form(agent_client, billing, tier1, tier2):
    ticket = TicketFactory(team=billing, tier=tier1)
    response = agent_client.post(
        f"/agent/tickets/{ticket.pk}/action/",
        {"action": "escalate", "kind": "hierarchical", "reason": ""},
        **HTMX,
    )
    assert "Say why you are escalating" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.tier == tier1


def test_escalating_out_of_reach_sends_the_agent_back_to_the_queue(
    agent_client, agent, billing, technical, tier1
):
    ticket = TicketFactory(team=billing, tier=tier1, assignee=agent)
    response = agent_client.post(
        f"/agent/tickets/{ticket.pk}/action/",
        {"action": "escalate", "kind": "functional", "team": technical.pk, "reason": "API"},
        **HTMX,
    )
    assert response["HX-Redirect"] == "/agent/"
    ticket.refresh_from_db()
    assert ticket.team == technical


def test_take_assign_status_and_resolve(agent_client, agent, lead, billing):
    ticket = TicketFactory(team=billing)
    url = f"/agent/tickets/{ticket.pk}/action/"
    agent_client.post(url, {"action": "take"})
    ticket.refresh_from_db()
    assert ticket.assignee == agent
    agent_client.post(url, {"action": "assign", "agent": lead.pk})
    ticket.refresh_from_db()
    assert ticket.assignee == lead
    agent_client.post(url, {"action": "status", "status": "on_hold"})
    ticket.refresh_from_db()
    assert ticket.status == Status.ON_HOLD
    agent_client.post(url, {"action": "resolve", "reason": "Fixed"})
    ticket.refresh_from_db()
    assert ticket.status == Status.RESOLVED
    assert agent_client.post(url, {"action": "bogus"}).status_code == 400


def test_agent_sets_own_status(agent_client, agent):
    agent_client.post("/agent/status/", {"status": "away", "next": "/agent/"})
    agent.refresh_from_db()
    assert agent.status == "away"
    assert agent_client.post("/agent/status/", {"status": "sleeping"}).status_code == 302
    agent.refresh_from_db()
    assert agent.status == "away"


def test_organization_context_is_visible_to_agents(agent_client, billing):
    org = OrganizationFactory(name="Big Co", is_vip=True)
    ticket = TicketFactory(team=billing, organization=org)
    assert "VIP" in agent_client.get(f"/agent/tickets/{ticket.pk}/").content.decode()


def test_sla_column_ignores_the_first_response_deadline_once_answered(agent_client, billing):
    from datetime import timedelta

    from django.utils import timezone

    now = timezone.now()
    answered = TicketFactory(
        team=billing,
        subject="Answered",
        first_response_at=now - timedelta(hours=2),
        first_response_due=now - timedelta(hours=1),
        resolution_due=now + timedelta(hours=5),
    )
    waiting = TicketFactory(
        team=billing,
        subject="Waiting",
        first_response_due=now + timedelta(minutes=20),
        resolution_due=now + timedelta(hours=8),
    )
    page = agent_client.get("/agent/?queue=team&sort=sla").content.decode()
    assert page.index(f'id="ticket-row-{waiting.pk}"') < page.index(f'id="ticket-row-{answered.pk}"')
    answered_row = page[page.index(f'id="ticket-row-{answered.pk}"') :]
    assert "left" in answered_row.split("</tr>")[0] and "overdue" not in answered_row.split("</tr>")[0]
