"""`manage.py import_tickets PATH.csv`: historical tickets from CSV (the rules: helpdesk.imports)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from helpdesk.imports.parse import BATCH_SIZE, ImportFileError
from helpdesk.imports.write import import_tickets


class Command(BaseCommand):
    help = (
        "Import historical tickets from a UTF-8 CSV with a header row (external_id, subject, body, team, "
        "priority, created_at, customer_email, organization, segment, status, resolved_at, csat, escalated, "
        "language). Idempotent on external_id; bad rows are reported with their line number and skipped."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="The CSV file.")
        parser.add_argument(
            "--batch-size", type=int, default=BATCH_SIZE, help=f"Rows per transaction (default {BATCH_SIZE})."
        )

    def handle(self, *args, path: str, batch_size: int, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        started = time.perf_counter()
        try:
            result = import_tickets(path, batch_size=batch_size)
        except ImportFileError as error:
            raise CommandError(str(error)) from error
        for bad_row in result.bad_rows:
            self.stderr.write(str(bad_row))
        self.stdout.write(self.style.SUCCESS(result.summary()) + f" ({time.perf_counter() - started:.1f} s)")
