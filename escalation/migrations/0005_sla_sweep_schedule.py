"""The SLA sweep runs every minute in the django-q2 cluster (`manage.py qcluster`, started by
`manage.py start`). Idempotent: the schedule is found by its name and brought back to these settings.
(helpdesk.schedules.ensure_schedules also puts it back after every later `migrate`.)"""

from django.db import migrations

SCHEDULE_NAME = "escalation.sla_sweep"


def create_schedule(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    Schedule.objects.update_or_create(
        name=SCHEDULE_NAME,
        defaults={
            "func": "escalation.tasks.sweep_sla",
            "schedule_type": "I",  # Schedule.MINUTES
            "minutes": 1,
            "repeats": -1,
        },
    )


def remove_schedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name=SCHEDULE_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("escalation", "0004_sla_policies_calendars_state"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
