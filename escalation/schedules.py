"""The escalation app's django-q2 schedules, kept as data in one place.

Migration 0003 creates them; `ensure_schedules` runs again after every `migrate` (post_migrate, so also
after `manage.py start` migrates, and after a test flush), putting back a schedule someone deleted.
"""

from __future__ import annotations

from django_q.models import Schedule

SLA_SWEEP = "escalation.sla_sweep"
SETTLE_AUTOMATIONS = "escalation.settle_automations"
TRAIN_ROUTER = "escalation.train_router"
ACCOUNT_HEALTH = "escalation.account_health"

SCHEDULES = {
    SLA_SWEEP: {
        "func": "escalation.tasks.sweep_sla",
        "schedule_type": Schedule.MINUTES,
        "minutes": 1,
        "repeats": -1,
    },
    SETTLE_AUTOMATIONS: {  # automatic answers nobody replied to (migration 0006)
        "func": "escalation.tasks.settle_automations",
        "schedule_type": Schedule.MINUTES,
        "minutes": 15,
        "repeats": -1,
    },
    ACCOUNT_HEALTH: {  # every account's health, besides the refreshes when its tickets change
        "func": "escalation.accounts.tasks.refresh_all_accounts",
        "schedule_type": Schedule.HOURLY,
        "repeats": -1,
    },
    TRAIN_ROUTER: {  # the triage models learn from the week's resolved tickets
        "func": "escalation.tasks.train_router",
        "schedule_type": Schedule.WEEKLY,
        "repeats": -1,
    },
}


def ensure_schedules(**kwargs) -> None:
    """Create missing schedules; leave existing ones (and an admin's edits to them) alone."""
    for name, fields in SCHEDULES.items():
        Schedule.objects.get_or_create(name=name, defaults=fields)
