"""Install the default routing policy (factor weights, thresholds, the seeds' rules, config) and the
once-a-minute re-check schedule. Idempotent: existing rows (and admin edits) are left alone."""

from django.db import migrations

from escalation.routing.defaults import RECHECK_SCHEDULE_NAME, install_defaults, install_schedule


def forwards(apps, schema_editor):
    install_defaults(
        rule_model=apps.get_model("escalation", "EscalationRule"),
        factor_model=apps.get_model("escalation", "ScoringFactor"),
        threshold_model=apps.get_model("escalation", "PriorityThreshold"),
        config_model=apps.get_model("escalation", "RoutingConfig"),
    )
    install_schedule(apps.get_model("django_q", "Schedule"))


def backwards(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name=RECHECK_SCHEDULE_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("escalation", "0002_routing_rules_factors_config"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
