"""SLA policies: which one a ticket gets, and the due times a new ticket shows at once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from rest_framework.authtoken.models import Token

from escalation.models.sla import BreachAction, BusinessCalendar, SlaPolicy, WorkingPeriod
from escalation.sla.due import sla_apply
from escalation.sla.policies import PolicyBook
from helpdesk.models import Priority, Segment
from tests.factories import (
    BusinessCalendarFactory,
    CategoryFactory,
    OrganizationFactory,
    SlaPolicyFactory,
    TicketFactory,
)

pytestmark = pytest.mark.django_db

SATURDAY_NOON = dt.datetime(2025, 3, 8, 12, 0, tzinfo=dt.UTC)


def policy_for(ticket):
    return PolicyBook.load().policy_for(ticket)


def test_the_most_specific_matching_policy_wins(tier1, billing):
    enterprise = OrganizationFactory(segment=Segment.ENTERPRISE)
    SlaPolicyFactory(name="Tier 1", tier=tier1)
    SlaPolicyFactory(name="Urgent", priority=Priority.URGENT)
    urgent_enterprise = SlaPolicyFactory(
        name="Urgent enterprise", priority=Priority.URGENT, segment=Segment.ENTERPRISE
    )
    ticket = TicketFactory(tier=tier1, team=billing, priority=Priority.URGENT, organization=enterprise)
    assert policy_for(ticket) == urgent_enterprise


def test_on_a_tie_a_category_policy_beats_a_priority_policy(tier1):
    security = CategoryFactory(name="Security incident")
    SlaPolicyFactory(name="Urgent", priority=Priority.URGENT)
    by_category = SlaPolicyFactory(name="Security", category=security)
    ticket = TicketFactory(tier=tier1, priority=Priority.URGENT, category=security)
    assert policy_for(ticket) == by_category


def test_policies_that_do_not_match_or_are_inactive_are_ignored(tier1, tier2, billing, technical):
    SlaPolicyFactory(name="Tier 2", tier=tier2)
    SlaPolicyFactory(name="Technical", team=technical)
    SlaPolicyFactory(name="Retired tier 1", tier=tier1, is_active=False)
    fallback = SlaPolicyFactory(name="Everything")
    assert policy_for(TicketFactory(tier=tier1, team=billing)) == fallback


def test_without_a_matching_policy_the_tier_targets_apply_around_the_clock(tier1, time_machine):
    time_machine.move_to(SATURDAY_NOON, tick=False)
    ticket = TicketFactory.build(tier=tier1, created_at=SATURDAY_NOON)
    sla_apply(ticket)
    assert ticket.first_response_due == SATURDAY_NOON + dt.timedelta(minutes=tier1.first_response_minutes)
    assert ticket.resolution_due == SATURDAY_NOON + dt.timedelta(minutes=tier1.resolution_minutes)
    assert ticket.next_reply_due is None  # the first response covers the first message


def test_a_ticket_without_a_tier_yet_gets_the_lowest_tiers_policy(tier1, tier2):
    tier1_policy = SlaPolicyFactory(name="Tier 1", tier=tier1)
    assert policy_for(TicketFactory.build(tier=None)) == tier1_policy


def test_the_api_shows_business_hours_due_times_on_create(api, staff_user, tier1, time_machine):
    """Created on Saturday: the office opens on Monday 09:00 Berlin (08:00 UTC), so 30 business minutes
    end at 08:30 UTC and two business days at the end of Tuesday."""
    time_machine.move_to(SATURDAY_NOON, tick=False)
    SlaPolicyFactory(
        tier=tier1, calendar=BusinessCalendarFactory(), first_response_minutes=30, resolution_minutes=16 * 60
    )
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=staff_user).key}")
    response = api.post(
        "/api/tickets/",
        {"subject": "Help", "body": "Please.", "customer_email": "a@b.example"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    sla = response.json()["sla"]
    assert sla["first_response_due"] == "2025-03-10T08:30:00Z"
    assert sla["resolution_due"] == "2025-03-11T16:00:00Z"
    assert sla["breached"] is False and sla["clock"] == "running"
    assert sla["next_due"] == "2025-03-10T08:30:00Z"
    assert sla["seconds_left"] == int(
        (dt.datetime(2025, 3, 10, 8, 30, tzinfo=dt.UTC) - SATURDAY_NOON).total_seconds()
    )


def test_functional_escalation_needs_a_team():
    policy = SlaPolicy(name="x", resolution_action=BreachAction.FUNCTIONAL)
    with pytest.raises(ValidationError) as error:
        policy.clean()
    assert "escalation_team" in error.value.message_dict


def test_score_refresh_shares_must_be_shares():
    with pytest.raises(ValidationError) as error:
        SlaPolicy(name="x", score_refresh_shares=[0.5, 2]).clean()
    assert "score_refresh_shares" in error.value.message_dict


def test_unknown_holiday_countries_are_refused():
    with pytest.raises(ValidationError) as error:
        BusinessCalendar(name="x", holiday_country="XX").clean()
    assert "holiday_country" in error.value.message_dict


def test_working_periods_must_close_after_they_open():
    with pytest.raises(ValidationError) as error:
        WorkingPeriod(weekday=0, opens=dt.time(17), closes=dt.time(9)).clean()
    assert "closes" in error.value.message_dict
    WorkingPeriod(weekday=0, opens=dt.time(17), closes=dt.time(0)).clean()  # until midnight is fine
