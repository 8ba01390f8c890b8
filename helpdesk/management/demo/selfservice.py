"""Ninety days of customers helping themselves: questions a help article answered before they became a
ticket ("This solved it") and readers' votes on the articles, so the self-service page has a story to
tell (a busy password article that works, a refund policy readers find unhelpful).

It draws from its own random stream, so the ticket history of a seed is the same with or without it.
"""

from __future__ import annotations

import datetime as dt
import random

from helpdesk.models import PUBLIC_ARTICLES, Article, ArticleVote, Deflection

DAYS = 90
# Per published article: answers a day on average, and the share of votes saying "helpful".
PACE: dict[str, tuple[float, float]] = {
    "Resetting your password": (4.0, 0.9),
    "Unlocking a locked account": (1.5, 0.85),
    "Exporting reports to PDF": (1.2, 0.8),
    "Changing notification settings": (1.0, 0.85),
    "Sharing a dashboard": (0.6, 0.75),
    "Fixing SAML SSO errors after an IdP certificate rotation": (0.4, 0.7),
    "API rate limits and webhook retries": (0.8, 0.65),
    "Refund policy": (0.7, 0.35),  # the documentation gap the page should find
}
DEFAULT_PACE = (0.5, 0.75)
VOTES_PER_ANSWER = 0.6  # readers who vote, for each question an article answers
SIGNED_IN_SHARE = 0.6  # the rest read the help center without signing in


def _count(rng: random.Random, mean: float) -> int:
    """A day's count around `mean` (binomial over ten chances: close to Poisson for these rates)."""
    return sum(rng.random() < mean / 10 for _ in range(10))


def add_self_service(*, customers: list, now: dt.datetime, rng: random.Random) -> tuple[int, int]:
    """Add the demo's deflections and votes; returns how many of each."""
    deflections, votes = [], []
    for article in Article.objects.filter(PUBLIC_ARTICLES).order_by("pk"):
        per_day, helpful_share = PACE.get(article.title, DEFAULT_PACE)
        words = article.title.lower().split()
        for day in range(DAYS):
            for _ in range(_count(rng, per_day)):
                deflections.append(
                    Deflection(
                        article=article,
                        user=rng.choice(customers) if customers and rng.random() < SIGNED_IN_SHARE else None,
                        query=" ".join(rng.sample(words, k=min(3, len(words)))),
                        created_at=now - dt.timedelta(days=day, seconds=rng.uniform(0, 86400)),
                    )
                )
            for n in range(_count(rng, per_day * VOTES_PER_ANSWER)):
                votes.append(
                    ArticleVote(
                        article=article,
                        voter=f"session:demo-{article.pk}-{day}-{n}",
                        helpful=rng.random() < helpful_share,
                        created_at=now - dt.timedelta(days=day, seconds=rng.uniform(0, 86400)),
                    )
                )
    Deflection.objects.bulk_create(deflections, batch_size=1000)
    ArticleVote.objects.bulk_create(votes, batch_size=1000)
    return len(deflections), len(votes)
