"""manage.py seed_accounts: demo account managers, usage, past health and outcomes (escalation.accounts.demo)."""

from __future__ import annotations

import random

from django.core.management.base import BaseCommand, CommandParser

from escalation.accounts.demo import seed_accounts


class Command(BaseCommand):
    help = "Give demo organizations an account manager, usage series, past health and recorded outcomes."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=42)
        parser.add_argument("--password", default="demo", help="Password of the demo account manager.")

    def handle(self, *args, seed: int, password: str, **options) -> None:
        self.stdout.write(seed_accounts(rng=random.Random(seed), password=password))
