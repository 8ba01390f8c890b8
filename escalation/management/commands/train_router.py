"""manage.py train_router [--since DATE]: train the triage models on resolved tickets, print held-out metrics."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.dateparse import parse_date
from tqdm import tqdm

from escalation.triage.retrain import report_lines, retrain
from escalation.triage.training import STEPS, NotEnoughHistory


def _date(value: str) -> dt.date:
    parsed = parse_date(value) if value else None
    if parsed is None:
        raise CommandError(f"--since must be a date like 2026-01-31, not {value!r}.")
    return parsed


class Command(BaseCommand):
    help = "Train the triage models (team, category, priority, escalation) on resolved tickets and activate them."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--since", type=str, help="Only learn from tickets created on or after this date."
        )

    def handle(self, *args, since: str | None, **options) -> None:
        start = _date(since) if since else None
        with tqdm(total=len(STEPS) + 2, desc="training", unit="step", file=self.stderr._out) as bar:

            def step(name: str) -> None:
                bar.set_description(name)
                bar.update(1)

            try:
                version = retrain(since=start, step=step)
            except NotEnoughHistory as reason:
                raise CommandError(str(reason)) from None
        for line in report_lines(version):
            self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS(f"Version {version.version} is now active."))
