"""`manage.py import_usage PATH.csv` (the columns: escalation.accounts.imports, docs/accounts.md)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from escalation.accounts.imports import ImportFileError, import_usage


class Command(BaseCommand):
    help = (
        "Import dated product usage: organization (or crm_id), date, measure, value. The same organization, "
        "date and measure again replaces the value; bad rows are reported with their line number and skipped."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="The UTF-8 CSV file, with a header row.")

    def handle(self, *args, path: str, **options):
        try:
            result = import_usage(path)
        except ImportFileError as error:
            raise CommandError(str(error)) from error
        for bad_row in result.bad_rows:
            self.stderr.write(str(bad_row))
        self.stdout.write(self.style.SUCCESS(result.summary()))
