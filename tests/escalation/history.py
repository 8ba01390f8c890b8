"""A small resolved history with distinct vocabularies per category, so `train_router` learns a real
model that is confident where the words are unmistakable (shared by the scenario tests)."""

from __future__ import annotations

import datetime as dt
import random

from django.core.management import call_command
from django.utils import timezone

from escalation.models import TriageModelVersion
from helpdesk.models import Article, Category, Priority, Status, Ticket
from helpdesk.services.article_review import article_approve_seeded
from tests.factories import CategoryFactory, CustomerFactory, TeamFactory

VOCABULARY = {
    ("Accounts", "Password reset"): (
        "password",
        "reset",
        "forgot",
        "sign in",
        "login",
        "locked out",
        "reset link",
        "credentials",
    ),
    ("Billing", "Invoice question"): (
        "invoice",
        "receipt",
        "billing",
        "charged",
        "vat",
        "payment",
        "card",
        "subscription fee",
    ),
    ("Technical", "API & integrations"): (
        "api",
        "timeout",
        "webhook",
        "endpoint",
        "integration",
        "server",
        "stack trace",
        "latency",
    ),
}
FILLER = ("please", "help", "today", "hello", "thanks", "team", "again", "since", "morning", "hi")


def train_history(*, n: int = 180, escalating: str | None = None, seed: int = 3) -> dict[str, Category]:
    """Resolved tickets in three teams (Accounts' password resets automatable, with a published article);
    tickets of the `escalating` team all ended escalated at tier 2. Trains and activates a model."""
    from helpdesk.models import Tier

    rng = random.Random(seed)
    tier1 = Tier.objects.filter(level=1).first() or Tier.objects.create(level=1, name="L1")
    tier2 = Tier.objects.filter(level=2).first() or Tier.objects.create(level=2, name="L2")
    customer = CustomerFactory().user
    categories = {}
    for team_name, category_name in VOCABULARY:
        team = TeamFactory(name=team_name)
        categories[category_name] = CategoryFactory(
            name=category_name,
            team=team,
            is_automatable=category_name == "Password reset",
            keywords=list(VOCABULARY[(team_name, category_name)][:3]),
        )
    article = Article.objects.create(
        title="Resetting your password",
        body="Open the sign-in page, choose 'Forgot password' and follow the reset link we e-mail you.",
    )
    article.categories.add(categories["Password reset"])
    article_approve_seeded(article=article)  # the team's reviewed answer, as the demo's articles are
    start = timezone.now() - dt.timedelta(days=90)
    rows = []
    keys = list(VOCABULARY)
    for i in range(n):
        team_name, category_name = keys[i % len(keys)]
        words = rng.sample(VOCABULARY[(team_name, category_name)], 4) + rng.sample(FILLER, 3)
        rng.shuffle(words)
        escalated = team_name == escalating
        rows.append(
            Ticket(
                subject=" ".join(words[:3]),
                body=" ".join(words),
                customer=customer,
                team=categories[category_name].team,
                category=categories[category_name],
                tier=tier2 if escalated else tier1,
                escalation_count=int(escalated),
                priority=Priority.HIGH if team_name == "Technical" else Priority.NORMAL,
                status=Status.RESOLVED,
                created_at=start + dt.timedelta(hours=i),
            )
        )
    Ticket.objects.bulk_create(rows)
    call_command("train_router", verbosity=0)
    assert TriageModelVersion.objects.filter(is_active=True).exists()
    return categories
