"""manage.py seed_sla: default business-hours calendars and SLA policies, and SLA state for open tickets
that were loaded in bulk. Safe to run again: existing calendars and policies (by name) are left as they are."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db import transaction

from escalation.sla.defaults import seed_sla_defaults
from escalation.sla.state import sla_backfill


class Command(BaseCommand):
    help = "Create default SLA calendars and policies; start SLA tracking for open tickets that lack it."

    def handle(self, *args, **options) -> None:
        with transaction.atomic():
            calendars, policies = seed_sla_defaults()
        adopted = sla_backfill()
        self.stdout.write(
            f"SLA: {calendars} calendar(s) and {policies} polic(y/ies) created; "
            f"{adopted} open ticket(s) now tracked."
        )
