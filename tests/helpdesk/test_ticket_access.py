"""Who may see and act on a ticket, beyond opening it: lists on the ticket page and tiers."""

from __future__ import annotations

import pytest

from helpdesk.models import Status
from helpdesk.services.errors import ERR_BELOW_TIER
from tests.factories import AgentFactory, TicketFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_the_recent_tickets_panel_shows_only_tickets_the_agent_may_open(
    client, agent, lead, customer, billing, technical
):
    here = TicketFactory(customer=customer, team=billing, subject="Invoice is wrong")
    TicketFactory(customer=customer, team=billing, subject="Refund for March")
    TicketFactory(customer=customer, team=technical, subject="Data breach at HQ")

    client.force_login(agent.user)  # Billing only
    page = client.get(f"/agent/tickets/{here.pk}/").content.decode()
    assert "Refund for March" in page
    assert "breach" not in page

    client.force_login(lead.user)  # every queue
    assert "Data breach at HQ" in client.get(f"/agent/tickets/{here.pk}/").content.decode()


@pytest.fixture
def escalated(billing, tier3, customer):
    """A Billing ticket escalated to tier 3, with its tier-3 expert."""
    expert = AgentFactory(user=UserFactory(username="xena"), tier=tier3, teams=[billing])
    ticket = TicketFactory(customer=customer, team=billing, tier=tier3, assignee=expert, status=Status.OPEN)
    return ticket


@pytest.mark.parametrize(
    "post",
    [
        {"action": "take"},
        {"action": "resolve", "reason": "Done"},
        {"action": "status", "status": "on_hold"},
    ],
)
def test_an_agent_below_the_tickets_tier_cannot_take_it_back_or_close_it(client, agent, escalated, post):
    client.force_login(agent.user)  # tier 1, Billing
    response = client.post(f"/agent/tickets/{escalated.pk}/action/", post)
    assert response.status_code == 400
    assert ERR_BELOW_TIER in response.content.decode()
    before = (escalated.assignee_id, escalated.status)
    escalated.refresh_from_db()
    assert (escalated.assignee_id, escalated.status) == before


def test_an_agent_below_the_tier_still_reads_and_adds_notes(client, agent, escalated):
    client.force_login(agent.user)
    page = client.get(f"/agent/tickets/{escalated.pk}/").content.decode()
    assert escalated.subject in page
    assert 'value="take"' not in page  # no Take button offered
    client.post(f"/agent/tickets/{escalated.pk}/action/", {"action": "note", "body": "Saw this before"})
    assert escalated.messages.filter(body="Saw this before", is_internal=True).exists()


def test_the_api_refuses_the_same_with_403(api, agent, escalated):
    api.force_authenticate(agent.user)
    response = api.post(f"/api/tickets/{escalated.pk}/resolve/", {}, format="json")
    assert response.status_code == 403
    assert response.json()["detail"] == ERR_BELOW_TIER
    escalated.refresh_from_db()
    assert escalated.status == Status.OPEN


def test_the_tier_3_expert_and_leads_act_on_it(api, lead, escalated):
    api.force_authenticate(escalated.assignee.user)
    assert api.post(f"/api/tickets/{escalated.pk}/resolve/", {}, format="json").status_code == 200
    other = TicketFactory(team=escalated.team, tier=escalated.tier, status=Status.OPEN)
    api.force_authenticate(lead.user)  # tier 2, but a lead
    assert api.post(f"/api/tickets/{other.pk}/resolve/", {}, format="json").status_code == 200
