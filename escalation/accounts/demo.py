"""Demo accounts: an account manager, product-usage series, past health and realistic outcomes.

Outcomes follow the accounts' own experience, not the health score: the chance of churning rises with
the share of their tickets that were escalated, with the anger in their messages and with the churn
risk typed in admin, plus chance. Past health is recorded weekly, as the schedule would have computed
it, so the health of a month before each outcome (the page's measure) can be checked against them.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db.models import Avg, Count, Q
from django.utils import timezone

from escalation.accounts.health import account_facts, health_of
from escalation.accounts.services import account_health_refresh, usage_trends_refresh
from escalation.models.accounts import (
    AccountHealth,
    AccountHealthSettings,
    AccountOutcome,
    OutcomeKind,
    UsageRecord,
)
from helpdesk.models import Agent, AgentStatus, Organization, Role, Segment, Tier

ACCOUNT_MANAGER = "amelia"
# Health recorded weekly from 12 to 5 weeks ago, as the schedule would have: every outcome (in the last four
# weeks) is judged by the account's health of 30 to 37 days before it, not of two months before.
PAST_HEALTH_DAYS = tuple(range(84, 34, -7))
OUTCOME_SHARE = 0.6  # accounts whose renewal fell in the last month


def _account_manager(password: str):
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=ACCOUNT_MANAGER,
        defaults={"first_name": "Amelia", "last_name": "Okafor", "email": "amelia@helpdesk.example"},
    )
    if created:
        user.password = make_password(password)
        user.save(update_fields=["password"])
    tier = Tier.objects.order_by("-level").first()
    Agent.objects.get_or_create(
        user=user, defaults={"role": Role.LEAD, "tier": tier, "capacity": 1, "status": AgentStatus.OFFLINE}
    )
    return user


def _usage(org: Organization, rng: random.Random, today: dt.date) -> None:
    trend = float((org.usage_metrics or {}).get("data_volume_trend", rng.uniform(-0.3, 0.4)))
    users = float((org.usage_metrics or {}).get("active_users", rng.randint(5, 500)))
    records = []
    for week in range(13, -1, -1):
        day = today - dt.timedelta(days=7 * week)
        progress = (13 - week) / 13
        volume = max(1.0, users * 0.8 * (1 + trend * progress) * rng.uniform(0.95, 1.05))
        active = max(1.0, users * (1 + min(trend, 0) * progress * 0.8) * rng.uniform(0.95, 1.05))
        records += [
            {"date": day, "measure": "data_volume", "value": round(volume, 1)},
            {"date": day, "measure": "active_users", "value": round(active)},
            {"date": day, "measure": "logins", "value": round(active * rng.uniform(3, 6))},
        ]
    # A fresh demo has no usage yet: written in one insert, then the trends computed once.
    UsageRecord.objects.bulk_create(
        [UsageRecord(organization=org, **record) for record in records], ignore_conflicts=True
    )
    usage_trends_refresh(organization=org)


def _outcome(org: Organization, rng: random.Random, today: dt.date, now: dt.datetime) -> None:
    """Renewed, expanded or churned, by how the last two months went for the account."""
    recent = org.tickets.filter(created_at__gte=now - dt.timedelta(days=60)).aggregate(
        tickets=Count("pk"), escalated=Count("pk", filter=Q(escalation_count__gt=0)), mood=Avg("sentiment")
    )
    escalated_share = recent["escalated"] / recent["tickets"] if recent["tickets"] else 0.0
    anger = max(0.0, -(recent["mood"] or 0.0))
    # Churn follows the experience strongly enough to show on ~60 accounts: a calm account churns about one
    # time in ten, one whose last two months were angry and escalation-heavy about half the time. (Weaker
    # weights left churn mostly to chance: no health score could have foreseen it.)
    odds = -2.8 + 6.0 * (escalated_share - 0.25) + 6.0 * anger + 2.0 * org.churn_risk + rng.gauss(0, 0.5)
    churn = rng.random() < 1 / (1 + math.exp(-odds))
    day = today - dt.timedelta(days=rng.randint(1, 28))
    if churn:
        AccountOutcome.objects.get_or_create(organization=org, kind=OutcomeKind.CHURNED, date=day)
        return
    if org.segment != Segment.TRIAL and escalated_share < 0.25 and rng.random() < 0.3:
        amount = (org.annual_contract_value * Decimal("1.3")).quantize(Decimal("1"))
        AccountOutcome.objects.get_or_create(
            organization=org, kind=OutcomeKind.EXPANDED, date=day, defaults={"amount": amount}
        )
        return
    AccountOutcome.objects.get_or_create(
        organization=org, kind=OutcomeKind.RENEWED, date=day, defaults={"amount": org.annual_contract_value}
    )


def seed_accounts(*, rng: random.Random, password: str) -> str:
    """Give the demo organizations a manager, usage, past health and outcomes (once)."""
    if AccountOutcome.objects.exists():
        return "Demo accounts already have outcomes; leaving them as they are."
    now = timezone.now()
    today = timezone.localdate()
    manager = _account_manager(password)
    config = AccountHealthSettings.current()
    organizations = list(Organization.objects.order_by("name"))
    Organization.objects.filter(
        segment__in=[Segment.ENTERPRISE, Segment.PREMIUM], account_manager__isnull=True
    ).update(account_manager=manager)
    outcomes = 0
    for org in organizations:
        _usage(org, rng, today)
        for days in PAST_HEALTH_DAYS:
            at = now - dt.timedelta(days=days)
            health = health_of(
                account_facts(org, now=at, window_days=config.window_days, baseline_days=config.baseline_days)
            )
            AccountHealth.objects.create(
                organization=org,
                score=health.score,
                at_risk=health.score < config.at_risk_below,
                threshold=config.at_risk_below,
                factors=[f.as_record() for f in health.factors],
                reasons=health.reasons,
                trigger="history",
                computed_at=at,
                first_computed_at=at,
            )
        if rng.random() < OUTCOME_SHARE:
            _outcome(org, rng, today, now)
            outcomes += 1
        account_health_refresh(organization_id=org.pk, trigger="history", alert=False)
    at_risk = Organization.objects.filter(at_risk=True).count()
    return (
        f"Accounts: {len(organizations)} with usage and health ({at_risk} at risk now), {outcomes} outcome(s); "
        f"account manager {ACCOUNT_MANAGER!r} for enterprise and premium accounts."
    )
