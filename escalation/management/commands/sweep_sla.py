"""manage.py sweep_sla [--dry-run]: one pass of the time-based SLA triggers (what the schedule runs)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser

from escalation.sla.sweep import sweep_sla


class Command(BaseCommand):
    help = "Run one pass of the SLA triggers: warnings, breaches, open age, abandoned tickets, hand-offs."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Print what the pass would do; change nothing."
        )

    def handle(self, *args, dry_run: bool, **options) -> None:
        report = sweep_sla(dry_run=dry_run)
        for line in report.lines:
            self.stdout.write(f"  {line}")
        self.stdout.write(self.style.SUCCESS(report.summary()))
