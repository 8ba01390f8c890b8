"""manage.py seed_demo [--tickets N] [--seed S]: a believable support org with 90 days of history."""

from __future__ import annotations

import hashlib
import random

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.utils import timezone
from rest_framework.authtoken.models import Token

from helpdesk.management.demo.history import build_history
from helpdesk.management.demo.people import DEMO_PASSWORD, build_people
from helpdesk.models import Ticket


class Command(BaseCommand):
    help = "Create demo teams, tiers, skills, agents, organizations, customers and historical tickets."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--tickets", type=int, default=2000, help="Historical tickets to create (default 2000)."
        )
        parser.add_argument(
            "--seed", type=int, default=42, help="Random seed: the same seed gives the same data."
        )

    def handle(self, *args, tickets: int, seed: int, **options) -> None:
        if tickets < 0:
            self.stderr.write("--tickets must be 0 or more.")
            raise SystemExit(2)
        rng = random.Random(seed)
        now = timezone.now()
        with transaction.atomic():
            cast = build_people(rng=rng, today=now.date())
            tokens = self._tokens(seed)
        if Ticket.objects.filter(metadata__demo=True).exists():
            self.stdout.write("Demo tickets already exist; leaving the history as it is.")
        else:
            created = build_history(cast=cast, rng=rng, count=tickets, now=now)
            self.stdout.write(f"Created {created} historical tickets over the last 90 days.")
        # SLA calendars and policies, and SLA tracking for the open demo tickets (escalation app, by name).
        call_command("seed_sla", stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS(f"\nDemo logins (password for all: {DEMO_PASSWORD!r}):"))
        for who, username in cast.logins:
            self.stdout.write(f"  {username:<40} {who}")
        self.stdout.write("\nAPI tokens (header 'Authorization: Token <key>'):")
        for username, key in tokens.items():
            self.stdout.write(f"  {username:<14} {key}")

    def _tokens(self, seed: int) -> dict[str, str]:
        """Stable tokens for the admin and an integration account, so demo scripts can rely on them."""
        User = get_user_model()
        integration, created = User.objects.get_or_create(
            username="integration", defaults={"email": "integration@helpdesk.example", "is_staff": True}
        )
        if created:
            integration.set_unusable_password()
            integration.save(update_fields=["password"])
        keys = {}
        for user in (User.objects.get(username="admin"), integration):
            key = hashlib.sha1(f"helpdesk-demo-{seed}-{user.username}".encode()).hexdigest()
            token, _ = Token.objects.get_or_create(user=user, defaults={"key": key})
            keys[user.username] = token.key
        return keys
