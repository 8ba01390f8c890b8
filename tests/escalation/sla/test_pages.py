"""What agents and API clients see of a ticket's SLA: due times, time left, breach and pause state."""

from __future__ import annotations

import datetime as dt

import pytest

from escalation.models.sla import BreachAction
from helpdesk.models import Status
from helpdesk.services import message_add
from tests.escalation.conftest import MONDAY_9AM
from tests.factories import SlaPolicyFactory

pytestmark = pytest.mark.django_db

M = dt.timedelta(minutes=1)


@pytest.fixture
def policy(tier1):
    return SlaPolicyFactory(
        name="Billing basics",
        tier=tier1,
        first_response_minutes=60,
        first_response_action=BreachAction.NOTIFY,
    )


def test_the_ticket_page_shows_due_times_time_left_and_the_policy(
    policy, agent, agent_client, new_ticket, clock
):
    ticket = new_ticket()
    clock.move_to(MONDAY_9AM + 15 * M)
    page = agent_client.get(f"/agent/tickets/{ticket.pk}/").content.decode()
    assert 'id="sla-panel"' in page
    assert "Mon Mar 3, 10:00" in page  # first response due (UTC, like every time on the page)
    assert "45m left" in page
    assert "Policy: Billing basics" in page and "around the clock" in page


def test_a_breach_shows_on_the_ticket_page_the_queue_and_the_api(
    policy, agent, agent_client, new_ticket, clock, sweep, api
):
    ticket = new_ticket()
    clock.move_to(MONDAY_9AM + 70 * M)
    sweep()
    page = agent_client.get(f"/agent/tickets/{ticket.pk}/").content.decode()
    assert "Breached" in page and "10m overdue" in page
    queue = agent_client.get("/agent/?queue=mine").content.decode()
    assert "Breached" in queue and "10m overdue" in queue
    api.force_authenticate(agent.user)
    sla = api.get(f"/api/tickets/{ticket.pk}/").json()["sla"]
    assert sla["breached"] is True and sla["seconds_left"] == -600


def test_a_paused_ticket_says_so_everywhere(policy, agent, agent_client, new_ticket, committed, clock, api):
    ticket = new_ticket()
    committed(
        message_add, ticket=ticket, author=agent.user, body="Which invoice?", then_status=Status.PENDING
    )
    page = agent_client.get(f"/agent/tickets/{ticket.pk}/").content.decode()
    assert "Clock paused since" in page and "waiting on the customer" in page
    queue = agent_client.get("/agent/?queue=mine").content.decode()
    assert ">Paused<" in queue
    api.force_authenticate(agent.user)
    sla = api.get(f"/api/tickets/{ticket.pk}/").json()["sla"]
    assert sla["paused"] is True and sla["clock"] == "paused" and sla["seconds_left"] is None


def test_a_met_first_response_no_longer_drives_the_queues_sla_column(
    policy, agent, agent_client, new_ticket, committed, clock
):
    ticket = new_ticket()
    clock.move_to(MONDAY_9AM + 30 * M)
    committed(message_add, ticket=ticket, author=agent.user, body="Done, refund sent.")
    clock.move_to(MONDAY_9AM + 2 * 60 * M)  # past the first-response due time, which was met
    queue = agent_client.get("/agent/?queue=mine").content.decode()
    assert "overdue" not in queue
    assert "6h 00m left" in queue  # the resolution target (8h) is what remains
