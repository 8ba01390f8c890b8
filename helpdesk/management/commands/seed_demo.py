"""manage.py seed_demo [--tickets N] [--seed S]: a believable support org with 90 days of history.

The demo accounts get random passwords and the API tokens random keys, printed once at the seeding
that creates them (helpdesk/management/demo/credentials.py). A database that already holds real tickets (any
ticket not made by this command) is refused: the demo's logins and history do not belong there.
"""

from __future__ import annotations

import random

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone
from rest_framework.authtoken.models import Token

from helpdesk.management.demo import credentials
from helpdesk.management.demo.history import build_history
from helpdesk.management.demo.people import build_people
from helpdesk.management.demo.selfservice import add_self_service
from helpdesk.models import Ticket
from helpdesk.services.macros import macros_seed_demo

ERR_REAL_TICKETS = (
    "This database already holds {count} real ticket(s) (not made by seed_demo); refusing to load the "
    "demo into it. Seed an empty database instead (e.g. DATABASE_URL=sqlite:///demo.sqlite3)."
)


def real_ticket_count() -> int:
    """Tickets that seed_demo did not make (the demo marks its own in metadata)."""
    # exclude(metadata__demo=True) would also drop tickets without the key (SQL NULL), so count both.
    return Ticket.objects.count() - Ticket.objects.filter(metadata__demo=True).count()


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
        count = real_ticket_count()
        if count:
            raise CommandError(ERR_REAL_TICKETS.format(count=count))
        rng = random.Random(seed)
        now = timezone.now()
        printed = credentials.DemoCredentials(
            admin_password=credentials.new_password(), shared_password=credentials.new_password()
        )
        with transaction.atomic():
            cast = build_people(
                rng=rng,
                today=now.date(),
                password_hash=make_password(printed.shared_password),
                admin_password_hash=make_password(printed.admin_password),
            )
            printed.tokens = self._new_tokens()
            macros_seed_demo()
        if Ticket.objects.filter(metadata__demo=True).exists():
            self.stdout.write("Demo tickets already exist; leaving the history as it is.")
        else:
            created = build_history(cast=cast, rng=rng, count=tickets, now=now)
            self.stdout.write(f"Created {created} historical tickets over the last 90 days.")
            if created:
                answers, votes = add_self_service(
                    customers=cast.customers, now=now, rng=random.Random(f"self-service:{seed}")
                )
                self.stdout.write(
                    f"Help center: {answers} questions answered without a ticket, {votes} votes."
                )
        # SLA calendars and policies, and SLA tracking for the open demo tickets (escalation app, by name).
        call_command("seed_sla", stdout=self.stdout)
        # Account managers, usage series, past health and renewal/churn outcomes (escalation app, by name).
        call_command("seed_accounts", seed=seed, password=printed.shared_password, stdout=self.stdout)
        # A draft routing policy to replay against the live one (escalation app, by name).
        call_command("seed_draft_policy", stdout=self.stdout)
        self._print(cast, printed)

    def _print(self, cast, printed: credentials.DemoCredentials) -> None:
        self.stdout.write(self.style.SUCCESS("\nDemo logins:"))
        for who, username in [*cast.logins, ("account manager (enterprise and premium accounts)", "amelia")]:
            self.stdout.write(f"  {username:<40} {who}")
        if cast.new_accounts:
            self.stdout.write(
                self.style.WARNING("\nThese passwords are random and shown only now; note them down:")
            )
            self.stdout.write(credentials.ADMIN_LINE.format(password=printed.admin_password))
            self.stdout.write(credentials.SHARED_LINE.format(password=printed.shared_password))
        else:
            self.stdout.write(
                "\nThe demo accounts already existed and keep their passwords (printed when they were made; "
                "`manage.py changepassword admin` sets a new one)."
            )
        if printed.tokens:
            self.stdout.write("\nAPI tokens (header 'Authorization: Token <key>'), shown only now:")
            for username, key in printed.tokens.items():
                self.stdout.write(credentials.TOKEN_LINE.format(username=username, key=key))

    def _new_tokens(self) -> dict[str, str]:
        """Random tokens for the admin and an integration account, for those that have none yet."""
        User = get_user_model()
        integration, created = User.objects.get_or_create(
            username="integration", defaults={"email": "integration@helpdesk.example", "is_staff": True}
        )
        if created:
            integration.set_unusable_password()
            integration.save(update_fields=["password"])
        keys = {}
        for user in (User.objects.get(username="admin"), integration):
            token, created = Token.objects.get_or_create(user=user)  # DRF draws the key from os.urandom
            if created:
                keys[user.username] = token.key
        return keys
