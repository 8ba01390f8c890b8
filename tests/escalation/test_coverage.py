"""Nothing strands: on-call agents take urgent tickets after hours, urgent tickets relax required skills
after a wait, a lead hears about a ticket nobody eligible could take, and the coverage gaps add up by team,
tier and hour of the week."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from escalation.coverage.gaps import coverage_gaps
from escalation.coverage.models import CoverageGap, OnCall
from escalation.models import RoutingConfig
from escalation.routing import engine as routing
from helpdesk.models import AgentStatus, Notification, Role, Segment
from tests.escalation.conftest import MONDAY_9AM
from tests.factories import AgentFactory, CustomerFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db

SUNDAY_3AM = dt.datetime(2025, 3, 2, 3, 0, tzinfo=dt.UTC)
URGENT = ("Security breach", "We found unauthorized access to our admin account. Production down!")


@pytest.fixture
def enterprise_customer():
    organization = OrganizationFactory(segment=Segment.ENTERPRISE, annual_contract_value=Decimal(200000))
    return CustomerFactory(organization=organization).user


@pytest.fixture
def night(time_machine):
    time_machine.move_to(SUNDAY_3AM, tick=False)
    return time_machine


@pytest.fixture
def security_lead(security, tier2):
    lead = AgentFactory(user=UserFactory(username="sol"), tier=tier2, role=Role.LEAD, teams=[security])
    security.lead = lead
    security.save()
    return lead


def test_an_on_call_agent_takes_an_urgent_ticket_at_night(
    night, submit, security, tier1, skills, enterprise_customer
):
    skilled = {skills["security"]: 4}
    office = {"work_start": dt.time(9, 0), "work_end": dt.time(17, 0), "work_days": [0, 1, 2, 3, 4]}
    sleeper = AgentFactory(
        user=UserFactory(username="sam"), tier=tier1, teams=[security], skills=skilled, **office
    )
    on_call = AgentFactory(
        user=UserFactory(username="oona"),
        tier=tier1,
        teams=[security],
        skills=skilled,
        status=AgentStatus.OFFLINE,
        **office,
    )
    OnCall.objects.create(team=security, agent=on_call)

    ticket = submit(*URGENT, by=enterprise_customer)

    assert ticket.priority == "urgent" and ticket.assignee == on_call
    candidates = {c["agent"]: c for c in ticket.routing_decisions.first().candidates}
    assert candidates["oona"]["details"]["on_call"] is True
    assert candidates["sam"]["excluded_reason"].startswith("outside working hours")
    assert Notification.objects.filter(recipient=on_call.user, kind="assignment", ticket=ticket).exists()
    assert sleeper.assigned_tickets.count() == 0


def test_an_urgent_ticket_relaxes_required_skills_after_its_wait(clock, submit, security, tier1, categories):
    generalist = AgentFactory(
        user=UserFactory(username="gil"), tier=tier1, teams=[security]
    )  # no security skill
    ticket = submit(*URGENT)
    assert ticket.assignee is None and ticket.priority == "urgent"

    clock.move_to(MONDAY_9AM + dt.timedelta(minutes=31), tick=False)
    routing.recheck_waiting_tickets()

    ticket.refresh_from_db()
    assert ticket.assignee == generalist
    assert "required skills (security) relaxed after 30 min" in ticket.routing_decisions.first().explanation


def test_a_lead_hears_about_a_ticket_nobody_eligible_could_take(
    clock, submit, security, security_lead, tier1, categories
):
    AgentFactory(tier=tier1, teams=[security], status=AgentStatus.OFFLINE)
    RoutingConfig.objects.update(urgent_relax_required_minutes=0)
    ticket = submit("Phishing", "A colleague clicked a phishing link, please check.")
    assert ticket.assignee is None
    gap = CoverageGap.objects.get(ticket=ticket)
    assert gap.ended_at is None and gap.reasons.get("status") == 1

    clock.move_to(MONDAY_9AM + dt.timedelta(minutes=10), tick=False)
    routing.recheck_waiting_tickets()
    assert not Notification.objects.filter(kind="coverage").exists()

    clock.move_to(MONDAY_9AM + dt.timedelta(minutes=21), tick=False)
    routing.recheck_waiting_tickets()
    routing.recheck_waiting_tickets()  # once per gap
    alert = Notification.objects.get(kind="coverage")
    assert alert.recipient == security_lead.user and "no eligible agent for 21 min" in alert.title


def test_coverage_gaps_add_up_by_team_tier_and_hour(clock, submit, security, tier1, categories, run_tasks):
    AgentFactory(tier=tier1, teams=[security], status=AgentStatus.OFFLINE)
    submit("Phishing", "A colleague clicked a phishing link, please check.")
    submit("Phishing again", "Another phishing mail arrived, please check.", by=CustomerFactory().user)
    clock.move_to(MONDAY_9AM + dt.timedelta(minutes=45), tick=False)

    rows = coverage_gaps(now=MONDAY_9AM + dt.timedelta(minutes=45))

    assert len(rows) == 1
    row = rows[0]
    assert (row.team, row.tier, row.when) == ("Security", 1, "Mon 09:00")
    assert row.tickets == 2 and row.minutes == 90.0


def test_a_gap_closes_when_someone_can_take_the_ticket(
    clock, submit, security, tier1, categories, skills, run_tasks
):
    away = AgentFactory(tier=tier1, teams=[security], skills={skills["security"]: 3}, status=AgentStatus.AWAY)
    ticket = submit("Phishing", "A colleague clicked a phishing link, please check.")
    clock.move_to(MONDAY_9AM + dt.timedelta(minutes=12), tick=False)
    from helpdesk.services import agent_set_status

    with run_tasks():
        agent_set_status(agent=away, status=AgentStatus.AVAILABLE, actor=away.user)

    ticket.refresh_from_db()
    gap = CoverageGap.objects.get(ticket=ticket)
    assert ticket.assignee == away and gap.ended_at == MONDAY_9AM + dt.timedelta(minutes=12)


def test_the_coverage_gaps_page_shows_them(clock, submit, security, tier1, categories, client):
    AgentFactory(tier=tier1, teams=[security], status=AgentStatus.OFFLINE)
    submit("Phishing", "A colleague clicked a phishing link, please check.")
    clock.move_to(MONDAY_9AM + dt.timedelta(minutes=30), tick=False)
    lead = AgentFactory(user=UserFactory(username="lou"), tier=tier1, role=Role.LEAD, teams=[security])
    client.force_login(lead.user)

    page = client.get("/analytics/coverage/?since=2025-03-01&until=2025-03-03")

    assert page.status_code == 200
    html = page.content.decode()
    assert "Coverage gaps" in html and "Security L1" in html and "Uncovered right now" in html
