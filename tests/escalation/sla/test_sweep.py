"""The SLA sweep over time: warnings, breaches and escalations, open age, abandoned tickets,
idempotency, dry runs, and a cost that does not grow with tickets that are not due."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from escalation.models import RoutingConfig
from escalation.models.sla import BreachAction, TicketSla
from escalation.routing import scoring
from escalation.sla import actions as sla_actions
from escalation.sla.actions import ABANDONED_FLAG
from escalation.sla.sweep import sweep_sla
from helpdesk.models import AgentStatus, Notification, Ticket, TicketEvent, Trigger
from helpdesk.services import message_add
from tests.escalation.conftest import MONDAY_9AM
from tests.factories import AgentFactory, SlaPolicyFactory, TierFactory, UserFactory

pytestmark = pytest.mark.django_db

H = dt.timedelta(hours=1)
M = dt.timedelta(minutes=1)


@pytest.fixture
def team_lead(lead, billing):
    billing.lead = lead
    billing.save()
    return lead


@pytest.fixture
def policy(tier1):
    """First response in 1h (escalate a tier on breach), warn at 75%; no open-age/abandoned noise."""
    return SlaPolicyFactory(
        tier=tier1,
        first_response_minutes=60,
        next_reply_minutes=120,
        resolution_minutes=8 * 60,
        first_response_action=BreachAction.HIERARCHICAL,
    )


@pytest.fixture
def colleague(billing, tier1):
    """A second available tier-1 Billing agent: the 'fresh eyes'."""
    return AgentFactory(user=UserFactory(username="bea"), tier=tier1, teams=[billing])


def events(ticket, code):
    return list(TicketEvent.objects.filter(ticket=ticket, code=code))


@pytest.fixture
def narrowing_score(monkeypatch):
    """The router's score grows as the first-response window narrows; the sweep must store what it says."""

    def score(ticket, *, now=None, history=None):
        minutes_left = (ticket.first_response_due - now).total_seconds() / 60
        return scoring.Score(value=round(100 - minutes_left, 1), priority=ticket.priority)

    monkeypatch.setattr(scoring, "score_ticket", score)


def test_priority_scores_are_refreshed_as_windows_narrow(
    policy, agent, narrowing_score, new_ticket, clock, sweep
):
    ticket = new_ticket()
    clock.move_to(MONDAY_9AM + 29 * M)
    sweep()
    ticket.refresh_from_db()
    assert ticket.priority_score != 71.0  # no checkpoint yet: the sweep did not look at it

    clock.move_to(MONDAY_9AM + 31 * M)  # past the 50% checkpoint
    assert sweep().lines == []  # nothing to announce, only the score moves
    ticket.refresh_from_db()
    assert ticket.priority_score == 71.0


def test_it_warns_then_breaches_then_escalates(
    policy, agent, team_lead, narrowing_score, new_ticket, clock, sweep
):
    ticket = new_ticket()
    assert ticket.assignee == agent
    mail.outbox.clear()  # the assignment itself was announced; this test is about what the sweep sends

    clock.move_to(MONDAY_9AM + 44 * M)
    assert sweep().lines == []  # past the 50% refresh point, not yet at the 75% warning
    assert not events(ticket, "sla.warning")

    clock.move_to(MONDAY_9AM + 45 * M)
    report = sweep()
    assert any("first response warning" in line for line in report.lines)
    [warning] = events(ticket, "sla.warning")
    assert warning.trigger == Trigger.SLA and warning.to_value == "first response"
    assert warning.reason == "First response due Mar 03 10:00 UTC."
    ticket.refresh_from_db()
    assert ticket.priority_score == 85.0  # 15 minutes left
    assert Notification.objects.filter(recipient=agent.user, kind="sla.warning", ticket=ticket).exists()
    assert [m.to for m in mail.outbox] == [[agent.user.email]]

    clock.move_to(MONDAY_9AM + 60 * M)
    report = sweep()
    assert any("first response breach" in line and "escalated to tier 2" in line for line in report.lines)
    [breach] = events(ticket, "sla.breached")
    assert breach.trigger == Trigger.SLA and breach.to_value == "first response"
    [escalation] = events(ticket, "escalation.hierarchical")
    assert escalation.trigger == Trigger.SLA and escalation.from_agent == agent
    ticket.refresh_from_db()
    assert ticket.sla_breached and ticket.tier.level == 2 and ticket.escalation_count == 1
    assert ticket.assignee == team_lead  # routed again in tier 2
    assert Notification.objects.filter(recipient=team_lead.user, kind="sla.breached").exists()
    assert team_lead.user.email in {address for m in mail.outbox for address in m.to}

    assert sweep().lines == []  # nothing new the next minute
    assert len(events(ticket, "sla.breached")) == 1


def test_a_ticket_answered_in_time_never_breaches(
    policy, agent, team_lead, new_ticket, committed, clock, sweep
):
    ticket = new_ticket()
    clock.move_to(MONDAY_9AM + 30 * M)
    committed(message_add, ticket=ticket, author=agent.user, body="On it.")
    clock.move_to(MONDAY_9AM + 2 * H)
    sweep()
    assert not events(ticket, "sla.breached") and not events(ticket, "sla.warning")


def test_running_the_sweep_twice_changes_nothing_the_second_time(
    policy, agent, team_lead, colleague, new_ticket, clock, sweep
):
    policy.abandoned_hours = 1
    policy.save()
    breaching, warned = new_ticket(), None
    clock.move_to(MONDAY_9AM + 20 * M)
    warned = new_ticket()
    clock.move_to(MONDAY_9AM + 65 * M)  # the first breaches, the second is at 75%
    first = sweep()
    assert len(first.lines) >= 2 and first.checked >= 2

    def snapshot():
        return (
            list(TicketEvent.objects.order_by("pk").values_list("pk", flat=True)),
            list(Notification.objects.values_list("pk", flat=True)),
            len(mail.outbox),
            list(TicketSla.objects.order_by("pk").values()),
            list(Ticket.objects.order_by("pk").values()),
        )

    before = snapshot()
    second = sweep()
    assert second.lines == [] and second.checked == 0
    assert snapshot() == before
    assert {breaching.pk, warned.pk} <= set(TicketSla.objects.values_list("pk", flat=True))


def test_dry_run_prints_what_it_would_do_and_changes_nothing(policy, agent, team_lead, new_ticket, clock):
    ticket = new_ticket()
    clock.move_to(MONDAY_9AM + 61 * M)
    out = io.StringIO()
    call_command("sweep_sla", "--dry-run", stdout=out)
    text = out.getvalue()
    assert f"#{ticket.pk} first response breach" in text
    assert "would notify the team lead and escalate to the next tier" in text
    assert "would fire 1" in text
    assert not events(ticket, "sla.breached")
    ticket.refresh_from_db()
    assert ticket.tier.level == 1 and not ticket.sla_breached


def test_the_command_runs_one_pass(policy, agent, team_lead, new_ticket, clock, committed):
    ticket = new_ticket()
    clock.move_to(MONDAY_9AM + 61 * M)
    out = io.StringIO()
    committed(call_command, "sweep_sla", stdout=out)
    assert "fired 1" in out.getvalue()
    assert events(ticket, "sla.breached")


def test_after_three_days_open_a_ticket_gets_fresh_eyes(
    tier1, agent, colleague, team_lead, new_ticket, committed, clock, sweep
):
    SlaPolicyFactory(
        tier=tier1,
        resolution_minutes=7 * 24 * 60,
        open_age_hours=72,
        open_age_action=BreachAction.REASSIGN,
    )
    ticket = new_ticket()
    first_owner = ticket.assignee
    clock.shift(10 * M)
    committed(message_add, ticket=ticket, author=first_owner.user, body="Looking into it.")

    clock.move_to(MONDAY_9AM + 72 * H - M)
    sweep()
    assert not events(ticket, "sla.open_age")

    clock.move_to(MONDAY_9AM + 72 * H)
    report = sweep()
    assert any("open age" in line and "re-assigned within the tier" in line for line in report.lines)
    [open_age] = events(ticket, "sla.open_age")
    assert open_age.trigger == Trigger.SLA and open_age.from_agent == first_owner
    ticket.refresh_from_db()
    assert ticket.assignee is not None and ticket.assignee != first_owner  # fresh eyes
    assert Notification.objects.filter(recipient=team_lead.user, kind="sla.open_age").exists()

    clock.move_to(MONDAY_9AM + 96 * H)
    sweep()
    assert len(events(ticket, "sla.open_age")) == 1  # once per ticket


def test_an_unassigned_ticket_left_in_the_queue_is_flagged_and_routed_again(
    tier1, billing, agent, team_lead, new_ticket, clock, sweep
):
    # No first-response breach either: its re-routing would overflow the ticket to tier 2.
    SlaPolicyFactory(
        tier=tier1, first_response_minutes=7 * 24 * 60, resolution_minutes=7 * 24 * 60, abandoned_hours=4
    )
    config = RoutingConfig.load()
    config.overflow_minutes = 7 * 24 * 60  # keep it in tier 1: the tier-2 lead must not take it as overflow
    config.save()
    agent.status = AgentStatus.OFFLINE  # nobody can take it when it arrives
    agent.save()
    ticket = new_ticket()
    assert ticket.assignee is None

    clock.move_to(MONDAY_9AM + 4 * H - M)
    sweep()
    assert not events(ticket, "sla.abandoned")

    newcomer = AgentFactory(user=UserFactory(username="nina"), tier=tier1, teams=[billing])
    clock.move_to(MONDAY_9AM + 4 * H)
    report = sweep()
    assert any("abandoned" in line and "flagged" in line for line in report.lines)
    [abandoned] = events(ticket, "sla.abandoned")
    assert abandoned.to_team == billing and abandoned.details["category_id"] == ticket.category_id
    assert abandoned.details["unassigned"] is True
    ticket.refresh_from_db()
    assert ticket.is_flagged and ticket.flag_reason == ABANDONED_FLAG
    assert ticket.assignee == newcomer  # routed again
    assert Notification.objects.filter(recipient=team_lead.user, kind="sla.abandoned").exists()
    assert TicketSla.objects.get(pk=ticket.pk).abandoned_count == 1


def test_an_assigned_ticket_nobody_touches_goes_to_someone_else(
    tier1, agent, colleague, team_lead, new_ticket, clock, sweep
):
    SlaPolicyFactory(tier=tier1, resolution_minutes=7 * 24 * 60, abandoned_hours=4)
    ticket = new_ticket()
    idle = ticket.assignee
    clock.move_to(MONDAY_9AM + 4 * H)
    sweep()
    [abandoned] = events(ticket, "sla.abandoned")
    assert abandoned.from_agent == idle and abandoned.details["unassigned"] is False
    ticket.refresh_from_db()
    assert ticket.assignee not in (None, idle)


def test_a_still_abandoned_ticket_is_reported_again_after_another_period(
    tier1, agent, team_lead, new_ticket, clock, sweep
):
    SlaPolicyFactory(tier=tier1, resolution_minutes=7 * 24 * 60, abandoned_hours=4)
    agent.status = AgentStatus.OFFLINE
    agent.save()
    ticket = new_ticket()
    for hours in (4, 6, 8):
        clock.move_to(MONDAY_9AM + hours * H)
        sweep()
    assert len(events(ticket, "sla.abandoned")) == 2  # at 4h and 8h, not at 6h
    assert TicketSla.objects.get(pk=ticket.pk).abandoned_count == 2


def test_a_next_reply_breach_reassigns_within_the_tier(
    policy, agent, colleague, customer, team_lead, new_ticket, committed, clock, sweep
):
    ticket = new_ticket()
    owner = ticket.assignee
    clock.shift(10 * M)
    committed(message_add, ticket=ticket, author=owner.user, body="Which card?")
    clock.shift(10 * M)
    committed(message_add, ticket=ticket, author=customer, body="The Visa one.")
    clock.shift(2 * H)
    sweep()
    [breach] = events(ticket, "sla.breached")
    assert breach.to_value == "next reply"
    ticket.refresh_from_db()
    assert ticket.assignee not in (None, owner)
    [unassigned] = events(ticket, "ticket.unassigned")
    assert unassigned.trigger == Trigger.SLA


def test_without_a_higher_tier_a_hierarchical_escalation_falls_back_to_reassigning(
    tier1, agent, colleague, new_ticket, clock, sweep
):
    SlaPolicyFactory(
        tier=tier1,
        first_response_minutes=60,
        first_response_action=BreachAction.HIERARCHICAL,
    )
    ticket = new_ticket()
    owner = ticket.assignee
    clock.move_to(MONDAY_9AM + 2 * H)
    report = sweep()
    assert any("re-assigned within the tier" in line for line in report.lines)
    assert not events(ticket, "escalation.hierarchical")
    ticket.refresh_from_db()
    assert ticket.assignee not in (None, owner)


def test_a_functional_breach_action_hands_the_ticket_to_the_escalation_team(
    tier1, agent, outsider, technical, new_ticket, clock, sweep
):
    SlaPolicyFactory(
        tier=tier1,
        first_response_minutes=60,
        first_response_action=BreachAction.FUNCTIONAL,
        escalation_team=technical,
    )
    ticket = new_ticket()
    clock.move_to(MONDAY_9AM + 2 * H)
    sweep()
    [escalation] = events(ticket, "escalation.functional")
    assert escalation.trigger == Trigger.SLA and escalation.to_team == technical
    ticket.refresh_from_db()
    assert ticket.team == technical and ticket.assignee == outsider


def test_several_triggers_in_one_pass_hand_the_ticket_on_only_once(
    tier1, tier2, agent, team_lead, new_ticket, clock, sweep
):
    TierFactory(level=3)
    SlaPolicyFactory(
        tier=tier1,
        first_response_minutes=60,
        resolution_minutes=120,
        first_response_action=BreachAction.HIERARCHICAL,
        resolution_action=BreachAction.HIERARCHICAL,
    )
    ticket = new_ticket()
    clock.move_to(MONDAY_9AM + 3 * H)  # the sweep was down: both clocks ran out
    sweep()
    assert len(events(ticket, "sla.breached")) == 2
    assert len(events(ticket, "escalation.hierarchical")) == 1
    ticket.refresh_from_db()
    assert ticket.tier.level == 2


def test_the_sweeps_cost_does_not_grow_with_tickets_that_are_not_due(policy, agent, new_ticket, clock, sweep):
    def queries_for_one_pass():
        with CaptureQueriesContext(connection) as queries:
            sweep()
        return len(queries)

    new_ticket()
    clock.move_to(MONDAY_9AM + 10 * M)
    baseline = queries_for_one_pass()
    for _ in range(15):
        new_ticket()
    clock.move_to(MONDAY_9AM + 11 * M)
    assert queries_for_one_pass() == baseline


def test_one_broken_ticket_does_not_stop_the_sweep(
    policy, agent, team_lead, new_ticket, clock, sweep, monkeypatch
):
    healthy, broken = new_ticket(), new_ticket()
    real_warning = sla_actions.FIRE["warning"]

    def warning_that_fails_for_one(ticket, step, policy, *, may_hand_on):
        if ticket.pk == broken.pk:
            raise RuntimeError("boom")
        return real_warning(ticket, step, policy, may_hand_on=may_hand_on)

    monkeypatch.setitem(sla_actions.FIRE, "warning", warning_that_fails_for_one)
    clock.move_to(MONDAY_9AM + 46 * M)
    report = sweep()
    assert report.failed == 1 and report.checked == 2
    assert events(healthy, "sla.warning") and not events(broken, "sla.warning")
    assert TicketSla.objects.get(pk=broken.pk).next_check_at == MONDAY_9AM + 51 * M  # retried in 5 minutes


def test_a_sweep_sends_its_emails_in_one_background_task(
    policy, agent, team_lead, new_ticket, clock, django_capture_on_commit_callbacks
):
    for _ in range(3):
        new_ticket()
    mail.outbox.clear()  # the assignments were announced; this test is about what the sweep sends
    clock.move_to(MONDAY_9AM + 46 * M)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        report = sweep_sla()
    assert len(report.lines) == 3
    assert len(callbacks) == 1  # one e-mail task for the batch; the sweep's own events need no SLA sync
    assert len(mail.outbox) == 3
