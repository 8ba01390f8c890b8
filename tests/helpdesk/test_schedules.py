import pytest
from django.conf import settings
from django_q.models import Schedule

from helpdesk.schedules import ensure_schedules

pytestmark = pytest.mark.django_db


def test_every_schedule_of_the_settings_exists_after_migrate_and_only_once():
    ensure_schedules()  # a second run, as after the next migrate
    for name, fields in settings.SCHEDULES.items():
        [schedule] = Schedule.objects.filter(name=name)
        assert schedule.func == fields["func"] and schedule.schedule_type == fields["schedule_type"]
        assert schedule.repeats == -1


def test_an_admins_edit_to_a_schedule_is_kept():
    Schedule.objects.filter(name="live: prune outbox").update(schedule_type=Schedule.DAILY)
    ensure_schedules()
    assert Schedule.objects.get(name="live: prune outbox").schedule_type == Schedule.DAILY
