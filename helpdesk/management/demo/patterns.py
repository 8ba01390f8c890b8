"""Patterns planted in the demo history so the analytics pages have something true to find.

Each is a small rule the history builder consults; together they make the demo show:
- automation: automatable categories are often answered automatically; some answers are rejected and
  go on to a person; medium-confidence tickets get a draft for review;
- abandoned tickets: some queues (Product) leave tickets untouched for hours more often than others;
- training gaps: two newer tier-1 agents escalate far more than their peers on the same categories;
- over-escalation: password and user-management escalations are solved within an hour of arriving,
  and tier 2 takes about as long as tier 1 while tier 3 takes much longer;
- triggers: the SLA and the customer's mood escalate some tickets, not only people;
- complex problems: some tickets describe a hard problem (intermittent, under load, in production, several
  systems), usually in so many words; tier 1 passes most of them up a tier, while a plain ticket goes up
  only now and then (so what the customer wrote tells, imperfectly, which tickets will need tier 2);
- a topic surge: SSO logins fail more often in the last twelve days;
- documentation gaps: the knowledge base covers some frequent topics and misses others.
"""

from __future__ import annotations

import datetime as dt
import random

from helpdesk.models import Agent, Article, Autonomy, Category, Trigger
from helpdesk.services.article_review import article_approve_seeded

AUTOMATABLE = {"Password reset": 0.65, "How-to question": 0.5}
ACCEPTED_AUTOMATIC_ANSWER = 0.78
ABANDON_CHANCE = {"Product": 0.14, "Security": 0.02}
DEFAULT_ABANDON_CHANCE = 0.04
NEW_HIRE_COUNT = 2
NEW_HIRE_EXTRA_ESCALATION = 0.3
QUICK_FIX_CATEGORIES = {"Password reset", "User management"}
SURGE_DAYS, SURGE_SHARE, SURGE_CATEGORY = 12, 0.1, "SSO & login"
LATE_ESCALATION_SHARE = 0.15
COMPLEX_SHARE = 0.15  # tickets about a hard problem
COMPLEX_SAID = 0.75  # of those, the ones whose text says so (the rest read like any other ticket)
PLAIN_SOUNDS_COMPLEX = 0.04  # plain tickets that use the same words for an ordinary problem
COMPLEX_ESCALATION_EXTRA = (
    0.7  # added to a hard problem's chance of escalating: tier 1 passes most of them up
)
PLAIN_ESCALATION_FACTOR = 0.6  # a plain problem's chance of escalating, relative to the usual one
TEAM_CHANGE_SHARE = {True: 0.05, False: 0.45}  # of escalations (not misfiled): a change of team, not of tier
COMPLEX_SENTENCES = (
    "It happens intermittently, mostly at peak hours.",
    "Only in our production environment, and only under load.",
    "It started after we connected our ERP through the API; the webhooks fail randomly.",
    "Sometimes it works, sometimes it times out, and we could not find a pattern.",
    "It only shows up with our custom configuration and SSO enabled.",
    "We see it every few hours on the live system, never on staging.",
    "The sync between the CRM and the API drops records from time to time.",
    "Latency spikes under heavy load and then the requests time out.",
)

EXTRA_ARTICLES = [
    (
        "Fixing SAML SSO errors after an IdP certificate rotation",
        "SSO & login",
        "If SSO with SAML fails after rotating the identity provider certificate (Okta, Azure AD), upload "
        "the new certificate under Settings → Single sign-on and check the clock of the IdP. Users can sign "
        "in with a password meanwhile if your admin allows it.",
    ),
    (
        "API rate limits and webhook retries",
        "API & integrations",
        "The API allows 600 requests per minute per token; beyond that it answers 429 with a Retry-After "
        "header. Webhooks are retried with backoff for 24 hours. Use the bulk endpoints for large syncs.",
    ),
    (
        "Refund policy",
        "Refund request",
        "Annual plans can be refunded within 30 days; unused seats are credited to the next invoice. "
        "Refunds reach the card within 5-10 business days.",
    ),
]


def add_articles(categories: dict[str, Category]) -> None:
    for title, category_name, body in EXTRA_ARTICLES:
        article, created = Article.objects.get_or_create(title=title, defaults={"body": body})
        if created:
            article.categories.add(categories[category_name])
            article_approve_seeded(article=article)


def new_hires(pool: dict[tuple[int, int], list[Agent]]) -> frozenset[int]:
    """The newest tier-1 agents (highest ids): they escalate more than their peers."""
    tier1 = sorted({a.pk for (_, level), agents in pool.items() if level == 1 for a in agents})
    return frozenset(tier1[-NEW_HIRE_COUNT:])


def surge(category_name: str, created: dt.datetime, now: dt.datetime, rng: random.Random) -> str:
    if now - created < dt.timedelta(days=SURGE_DAYS) and rng.random() < SURGE_SHARE:
        return SURGE_CATEGORY
    return category_name


def autonomy_for(category_name: str, rng: random.Random) -> str:
    draw = rng.random()
    if draw < AUTOMATABLE.get(category_name, 0):
        return Autonomy.AUTONOMOUS
    if draw < AUTOMATABLE.get(category_name, 0) + 0.15:
        return Autonomy.REVIEW
    return Autonomy.HUMAN


def abandoned(team_name: str, rng: random.Random) -> bool:
    return rng.random() < ABANDON_CHANCE.get(team_name, DEFAULT_ABANDON_CHANCE)


def escalation_delay(rng: random.Random) -> dt.timedelta:
    """Most escalations come within the first day; some only after days of trying."""
    if rng.random() < LATE_ESCALATION_SHARE:
        return dt.timedelta(hours=rng.uniform(24, 120))
    return dt.timedelta(hours=rng.uniform(0.3, 20))


def trigger_for(frustration: float, rng: random.Random) -> str:
    draw = rng.random()
    if frustration > 0.6 and draw < 0.4:
        return Trigger.SENTIMENT
    if draw < 0.15:
        return Trigger.SLA
    if draw < 0.2:
        return Trigger.RULE
    return Trigger.MANUAL


def complex_problem(rng: random.Random) -> tuple[bool, str]:
    """Is the problem hard, and the sentence (if any) in which the customer describes it so."""
    hard = rng.random() < COMPLEX_SHARE
    said = rng.random() < (COMPLEX_SAID if hard else PLAIN_SOUNDS_COMPLEX)
    return hard, rng.choice(COMPLEX_SENTENCES) if said else ""


def escalation_chance(usual: float, hard: bool) -> float:
    """A hard problem usually goes up; a plain one less often than the usual rate (same rate overall)."""
    return min(0.95, usual + COMPLEX_ESCALATION_EXTRA) if hard else usual * PLAIN_ESCALATION_FACTOR


def work_after_escalation(level: int, category_name: str, rng: random.Random) -> dt.timedelta:
    """Hours from the escalation to the resolution, by the tier that got the ticket."""
    if category_name in QUICK_FIX_CATEGORIES:
        return dt.timedelta(hours=rng.uniform(0.2, 1.6))
    median = {1: 6.0, 2: 7.5, 3: 30.0}.get(level, 30.0)
    return dt.timedelta(hours=median * rng.lognormvariate(0, 0.7))
