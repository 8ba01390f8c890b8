"""The clock stands still while a ticket waits on the customer, and next-reply windows follow messages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from escalation.models.sla import TicketSla
from helpdesk.models import Status
from helpdesk.services import message_add, ticket_reopen, ticket_resolve, ticket_set_status
from tests.escalation.conftest import MONDAY_9AM
from tests.factories import BusinessCalendarFactory, SlaPolicyFactory

pytestmark = pytest.mark.django_db

H = dt.timedelta(hours=1)
M = dt.timedelta(minutes=1)


@pytest.fixture
def policy(tier1):
    """Around the clock: first response 1h, next reply 2h, resolution 8h."""
    return SlaPolicyFactory(
        tier=tier1, first_response_minutes=60, next_reply_minutes=120, resolution_minutes=480
    )


def test_pending_the_customer_pauses_the_clock_and_their_reply_resumes_it(
    policy, agent, customer, new_ticket, committed, clock, sweep, api
):
    ticket = new_ticket()
    assert ticket.resolution_due == MONDAY_9AM + 8 * H
    clock.shift(10 * M)
    committed(
        message_add, ticket=ticket, author=agent.user, body="Which invoice?", then_status=Status.PENDING
    )
    ticket.refresh_from_db()
    assert ticket.sla_paused_at == MONDAY_9AM + 10 * M

    clock.move_to(MONDAY_9AM + 20 * H)  # long past the original resolution due time
    assert sweep().lines == []  # a paused ticket is never due
    api.force_authenticate(agent.user)
    assert api.get(f"/api/tickets/{ticket.pk}/").json()["sla"]["clock"] == "paused"

    committed(message_add, ticket=ticket, author=customer, body="Invoice 42.")
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN and ticket.sla_paused_at is None
    paused = 20 * H - 10 * M
    assert ticket.resolution_due == MONDAY_9AM + 8 * H + paused  # pushed out by exactly the pause
    assert ticket.next_reply_due == MONDAY_9AM + 20 * H + 2 * H  # a fresh window from the reply
    assert api.get(f"/api/tickets/{ticket.pk}/").json()["sla"]["clock"] == "running"


def test_a_pause_over_night_costs_no_business_time(tier1, agent, customer, new_ticket, committed, clock):
    """Office hours 09:00-17:00 Berlin (08:00-16:00 UTC in March). Created Monday 10:00 Berlin, paused at
    10:30 until Tuesday 09:30: 420 business minutes paused, so the 8-hour resolution target moves from
    Tuesday 10:00 to Tuesday 17:00 Berlin."""
    SlaPolicyFactory(
        tier=tier1, calendar=BusinessCalendarFactory(), first_response_minutes=60, resolution_minutes=480
    )
    ticket = new_ticket()
    assert ticket.resolution_due == dt.datetime(2025, 3, 4, 9, 0, tzinfo=dt.UTC)
    clock.shift(30 * M)
    committed(
        message_add,
        ticket=ticket,
        author=agent.user,
        body="Please send a screenshot.",
        then_status=Status.PENDING,
    )
    clock.move_to(dt.datetime(2025, 3, 4, 8, 30, tzinfo=dt.UTC))
    committed(message_add, ticket=ticket, author=customer, body="Attached.")
    ticket.refresh_from_db()
    assert TicketSla.objects.get(pk=ticket.pk).paused_minutes == 420
    assert ticket.resolution_due == dt.datetime(2025, 3, 4, 16, 0, tzinfo=dt.UTC)


def test_on_hold_pauses_too_and_resuming_by_hand_restarts(policy, agent, new_ticket, committed, clock):
    ticket = new_ticket()
    committed(
        ticket_set_status,
        ticket=ticket,
        status=Status.ON_HOLD,
        actor=agent.user,
        reason="Waiting for vendor.",
    )
    clock.shift(3 * H)
    committed(ticket_set_status, ticket=ticket, status=Status.OPEN, actor=agent.user)
    ticket.refresh_from_db()
    assert ticket.sla_paused_at is None
    assert ticket.first_response_due == MONDAY_9AM + 1 * H + 3 * H
    assert ticket.resolution_due == MONDAY_9AM + 8 * H + 3 * H


def test_each_unanswered_customer_message_opens_a_next_reply_window(
    policy, agent, customer, new_ticket, committed, clock
):
    ticket = new_ticket()
    clock.shift(10 * M)
    committed(message_add, ticket=ticket, author=agent.user, body="Looking into it.")
    ticket.refresh_from_db()
    assert ticket.first_response_at is not None and ticket.next_reply_due is None

    clock.shift(1 * H)
    committed(message_add, ticket=ticket, author=customer, body="Any news?")
    clock.shift(30 * M)
    committed(message_add, ticket=ticket, author=customer, body="Hello?")
    ticket.refresh_from_db()
    # Measured from the oldest unanswered message, not the latest one.
    assert ticket.next_reply_due == MONDAY_9AM + 10 * M + 1 * H + 2 * H

    clock.shift(5 * M)
    committed(message_add, ticket=ticket, author=agent.user, body="Refund sent.")
    ticket.refresh_from_db()
    assert ticket.next_reply_due is None

    committed(message_add, ticket=ticket, author=agent.user, body="Internal: double-check.", internal=True)
    clock.shift(1 * H)
    committed(message_add, ticket=ticket, author=customer, body="Thanks, one more thing.")
    ticket.refresh_from_db()
    assert ticket.next_reply_due == timezone.now() + 2 * H


def test_time_between_resolving_and_reopening_does_not_count(policy, agent, new_ticket, committed, clock):
    ticket = new_ticket()
    clock.shift(2 * H)
    committed(ticket_resolve, ticket=ticket, actor=agent.user)
    clock.shift(2 * 24 * H)
    committed(ticket_reopen, ticket=ticket, actor=agent.user, reason="Not fixed after all.")
    ticket.refresh_from_db()
    assert ticket.resolution_due == MONDAY_9AM + 8 * H + 2 * 24 * H
