"""Running it: the sweep is scheduled after migrate, default policies are seeded once, and open tickets
loaded in bulk are adopted without replaying their past."""

from __future__ import annotations

import datetime as dt
import importlib
import io

import pytest
from django.apps import apps
from django.core.management import call_command
from django_q.models import Schedule

from escalation import tasks
from escalation.models.sla import BusinessCalendar, SlaPolicy, TicketSla
from escalation.schedules import SLA_SWEEP, ensure_schedules
from escalation.sla.defaults import DEFAULT_POLICIES
from helpdesk.models import Status, TicketEvent
from tests.escalation.conftest import MONDAY_9AM
from tests.factories import CategoryFactory, TeamFactory, TicketFactory, TierFactory

pytestmark = pytest.mark.django_db

schedule_migration = importlib.import_module("escalation.migrations.0005_sla_sweep_schedule")


def test_migrate_schedules_the_sweep_every_minute():
    schedule = Schedule.objects.get(name=schedule_migration.SCHEDULE_NAME)
    assert schedule.func == "escalation.tasks.sweep_sla"
    assert (schedule.schedule_type, schedule.minutes, schedule.repeats) == (Schedule.MINUTES, 1, -1)


def test_creating_the_schedule_again_keeps_one():
    schedule_migration.create_schedule(apps, None)
    ensure_schedules()
    assert Schedule.objects.filter(func="escalation.tasks.sweep_sla").count() == 1


def test_a_deleted_schedule_comes_back_with_the_next_migrate():
    Schedule.objects.filter(name=SLA_SWEEP).delete()
    call_command("migrate", verbosity=0)
    assert Schedule.objects.filter(name=SLA_SWEEP, func="escalation.tasks.sweep_sla").exists()


def test_the_scheduled_task_runs_one_pass_and_reports_it():
    assert tasks.sweep_sla().startswith("SLA sweep at ")


@pytest.fixture
def demo_structure():
    for level in (1, 2, 3):
        TierFactory(level=level)
    TeamFactory(name="Product")
    CategoryFactory(name="Security incident")
    CategoryFactory(name="Performance")


def test_seed_sla_creates_the_defaults_once(demo_structure):
    out = io.StringIO()
    call_command("seed_sla", stdout=out)
    assert set(SlaPolicy.objects.values_list("name", flat=True)) == set(DEFAULT_POLICIES)
    assert BusinessCalendar.objects.get().periods.count() == 5
    SlaPolicy.objects.filter(name="Tier 1 - routine").update(first_response_minutes=45)  # an admin's edit
    call_command("seed_sla", stdout=out)
    assert SlaPolicy.objects.count() == len(DEFAULT_POLICIES)
    assert SlaPolicy.objects.get(name="Tier 1 - routine").first_response_minutes == 45


def test_seed_sla_adopts_bulk_loaded_open_tickets_without_replaying_their_past(
    demo_structure, time_machine, sweep
):
    time_machine.move_to(MONDAY_9AM, tick=False)
    old = TicketFactory(created_at=MONDAY_9AM - dt.timedelta(days=10), status=Status.OPEN)
    waiting = TicketFactory(created_at=MONDAY_9AM - dt.timedelta(days=1), status=Status.PENDING)
    done = TicketFactory(created_at=MONDAY_9AM - dt.timedelta(days=3), status=Status.RESOLVED)
    call_command("seed_sla", stdout=io.StringIO())
    assert set(TicketSla.objects.values_list("pk", flat=True)) == {old.pk, waiting.pk}
    state = TicketSla.objects.get(pk=old.pk)
    assert state.first_response_breached_at and state.resolution_breached_at  # counted as already fired
    assert state.next_check_at > MONDAY_9AM
    old.refresh_from_db()
    assert old.sla_breached  # long past its due times, so it shows as breached
    waiting.refresh_from_db()
    assert waiting.sla_paused_at == MONDAY_9AM
    report = sweep()
    assert report.lines == []
    assert not TicketEvent.objects.filter(code__startswith="sla.").exists()
    assert not TicketSla.objects.filter(pk=done.pk).exists()
