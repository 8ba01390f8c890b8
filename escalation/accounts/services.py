"""Writes for account health: the facts other systems send, outcomes, and the health refresh that
escalates an account to its manager when it turns at risk."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django_q.models import Schedule

from escalation.accounts.health import Health, account_facts, health_of
from escalation.models.accounts import (
    AccountHealth,
    AccountHealthSettings,
    AccountOutcome,
    UsageMeasure,
    UsageRecord,
)
from escalation.routing.scoring import score_ticket
from helpdesk.events import event_record
from helpdesk.models import OPEN_STATUSES, Agent, Organization, Role, Ticket, Trigger
from helpdesk.notifications import notify

USAGE_WINDOWS = (7, 30, 90)
SCORE_MOVE = 1.0  # a score that moved less than this is refreshed in place, not kept as history
ALERT_KIND = "account.at_risk"
OPEN_TICKETS_LISTED = 10
ERR_NOT_STAFF = "Choose the username of a support agent or staff member."


# --- facts in -------------------------------------------------------------------------------------


def account_manager_check(username: str):
    """The staff user or agent named `username`; ValidationError (for the account_manager field) otherwise."""
    staff = Q(is_staff=True) | Q(agent__isnull=False)
    user = get_user_model().objects.filter(staff, username=username, is_active=True).first()
    if user is None:
        raise ValidationError(ERR_NOT_STAFF)
    return user


def organization_update(*, organization: Organization, changes: dict) -> Organization:
    """Apply validated account facts (segment, contract_value, renewal_date, account_manager, crm_id)."""
    fields = []
    mapping = {"contract_value": "annual_contract_value"}
    for key, value in changes.items():
        name = mapping.get(key, key)
        if getattr(organization, name) != value:
            setattr(organization, name, value)
            fields.append(name)
    if fields:
        organization.save(update_fields=fields)
        transaction.on_commit(
            lambda: account_health_request(organization_id=organization.pk, trigger="account")
        )
    return organization


def usage_trends_of(rows: Iterable[tuple[str, dt.date, float]]) -> dict:
    """Latest value per measure and its change over 7, 30 and 90 days (a fraction), from (measure, date,
    value) rows in date order. The change compares with the latest value on or before the day that far back."""
    series: dict[str, list[tuple[dt.date, float]]] = {}
    for measure, day, value in rows:
        series.setdefault(measure, []).append((day, value))
    trends = {}
    for measure, points in series.items():
        last_day, last_value = points[-1]
        change = {}
        for days in USAGE_WINDOWS:
            target = last_day - dt.timedelta(days=days)
            earlier = [value for day, value in points if day <= target]
            if earlier and earlier[-1] > 0:
                change[str(days)] = round((last_value - earlier[-1]) / earlier[-1], 4)
        trends[measure] = {"latest": last_value, "date": last_day.isoformat(), "change": change}
    return trends


def usage_trends_refresh(*, organization: Organization) -> dict:
    """Recompute Organization.usage_trends from the usage series (the last 120 days)."""
    since = timezone.localdate() - dt.timedelta(days=max(USAGE_WINDOWS) + 30)
    latest = (
        UsageRecord.objects.filter(organization=organization)
        .order_by("-date")
        .values_list("date", flat=True)
        .first()
    )
    if latest is not None:
        since = min(since, latest - dt.timedelta(days=max(USAGE_WINDOWS) + 30))
    rows = (
        UsageRecord.objects.filter(organization=organization, date__gte=since)
        .order_by("date")
        .values_list("measure", "date", "value")
    )
    organization.usage_trends = usage_trends_of(rows)
    organization.save(update_fields=["usage_trends"])
    return organization.usage_trends


@dataclass(frozen=True)
class UsageWritten:
    created: int
    updated: int


@transaction.atomic
def usage_record(
    *, organization: Organization, records: list[dict], refresh_health: bool = True
) -> UsageWritten:
    """Store dated usage values (validated {date, measure, value}); a (date, measure) sent again replaces
    its value. Then the organization's usage trends are recomputed and (after commit) its health refreshed."""
    created = updated = 0
    for record in records:
        if record["measure"] not in UsageMeasure.values:
            raise ValidationError({"measure": [f"Unknown measure {record['measure']!r}."]})
        _, made = UsageRecord.objects.update_or_create(
            organization=organization,
            date=record["date"],
            measure=record["measure"],
            defaults={"value": float(record["value"]), "recorded_at": timezone.now()},
        )
        created, updated = created + made, updated + (not made)
    usage_trends_refresh(organization=organization)
    if refresh_health:
        transaction.on_commit(
            lambda: account_health_request(organization_id=organization.pk, trigger="usage")
        )
    return UsageWritten(created=created, updated=updated)


def outcome_record(
    *, organization: Organization, kind: str, date: dt.date, amount=None, note: str = ""
) -> tuple[AccountOutcome, bool]:
    """Record what became of the account; the same kind on the same day is one outcome (updated)."""
    outcome, created = AccountOutcome.objects.update_or_create(
        organization=organization, kind=kind, date=date, defaults={"amount": amount, "note": note}
    )
    return outcome, created


# --- health ---------------------------------------------------------------------------------------


def account_health_compute(*, organization: Organization, now: dt.datetime | None = None) -> Health:
    """The account's health right now (nothing stored)."""
    config = AccountHealthSettings.current()
    facts = account_facts(
        organization,
        now=now or timezone.now(),
        window_days=config.window_days,
        baseline_days=config.baseline_days,
    )
    return health_of(facts)


def _alert_recipients(organization: Organization) -> list:
    """The account manager; without one, the leads of the teams holding its open tickets, else every lead."""
    if organization.account_manager_id:
        return [organization.account_manager]
    team_leads = list(
        Agent.objects.filter(
            led_teams__tickets__organization=organization, led_teams__tickets__status__in=OPEN_STATUSES
        )
        .select_related("user")
        .distinct()
    )
    if not team_leads:
        team_leads = list(Agent.objects.filter(role=Role.LEAD).select_related("user"))
    return [agent.user for agent in team_leads]


def _alert_body(organization: Organization, record: AccountHealth, open_tickets: list[Ticket]) -> str:
    base = settings.HELPDESK_BASE_URL
    lines = [
        f"{organization.name}'s account health is {record.score:.0f}/100, below the at-risk threshold of "
        f"{record.threshold:.0f}.",
        "",
        "Why:",
    ]
    weighing = sorted((f for f in record.factors if f["contribution"] < 0), key=lambda f: f["contribution"])
    for factor in weighing:
        if factor["name"] in record.reasons:
            lines.append(f"- {factor['label']} ({factor['contribution']:+.1f}): {factor['explanation']}")
    lines += ["", f"Open tickets ({len(open_tickets)}):" if open_tickets else "No open tickets."]
    for ticket in open_tickets[:OPEN_TICKETS_LISTED]:
        lines.append(
            f"- {ticket.number} [{ticket.get_priority_display()}] {ticket.subject} — "
            f"{base}{reverse('agent:ticket', args=[ticket.pk])}"
        )
    lines += ["", f"Accounts at risk: {base}{reverse('analytics:page', args=['accounts'])}"]
    return "\n".join(lines)


def _rescore_open_tickets(
    open_tickets: list[Ticket], now: dt.datetime, *, at_risk: bool, health: float
) -> None:
    """The account's open tickets take the account's state into their priority score. A ticket whose
    priority level moves records why (its history shows it, and its SLA follows the new level)."""
    because = f"the account is {'at risk' if at_risk else 'no longer at risk'} (health {health:.0f}/100)"
    for ticket in open_tickets:
        score = score_ticket(ticket, now=now)
        if (score.value, score.priority) == (ticket.priority_score, ticket.priority):
            continue
        before = ticket.priority
        ticket.priority_score, ticket.priority = score.value, score.priority
        Ticket.objects.filter(pk=ticket.pk).update(priority_score=score.value, priority=score.priority)
        if score.priority != before:
            event_record(
                ticket=ticket,
                code="ticket.priority_changed",
                trigger=Trigger.SYSTEM,
                reason=f"Priority score {score.value:g}: {because}.",
                from_value=before,
                to_value=score.priority,
                details={"score": score.value},
            )


@transaction.atomic
def account_health_refresh(
    *, organization_id: int, trigger: str = "schedule", now: dt.datetime | None = None, alert: bool = True
) -> AccountHealth | None:
    """Compute and store the account's health; when it turns at risk (or new reasons appear while at
    risk), tell its account manager live and by e-mail, once. Its open tickets are re-scored whenever
    the at-risk state changes. `alert=False` records quietly (loading history)."""
    organization = (
        Organization.objects.select_for_update(of=("self",))
        .select_related("account_manager")
        .filter(pk=organization_id)
        .first()
    )
    if organization is None:
        return None
    now = now or timezone.now()
    config = AccountHealthSettings.current()
    health = health_of(
        account_facts(
            organization, now=now, window_days=config.window_days, baseline_days=config.baseline_days
        )
    )
    at_risk = health.score < config.at_risk_below
    previous = (
        organization.health_history.filter(computed_at__lte=now).order_by("-computed_at", "-id").first()
    )
    reasons = health.reasons
    new_reasons = [r for r in reasons if previous is None or r not in previous.reasons]
    should_alert = alert and at_risk and (previous is None or not previous.at_risk or bool(new_reasons))
    factors = [f.as_record() for f in health.factors]
    unchanged = (
        previous is not None
        and previous.at_risk == at_risk
        and abs(previous.score - health.score) < SCORE_MOVE
        and previous.reasons == reasons
    )
    if unchanged:
        previous.score, previous.factors, previous.computed_at = health.score, factors, now
        previous.threshold, previous.trigger = config.at_risk_below, trigger
        previous.save(update_fields=["score", "factors", "computed_at", "threshold", "trigger"])
        record = previous
    else:
        record = AccountHealth.objects.create(
            organization=organization,
            score=health.score,
            at_risk=at_risk,
            threshold=config.at_risk_below,
            factors=factors,
            reasons=reasons,
            trigger=trigger,
            alerted=should_alert,
            computed_at=now,
            first_computed_at=now,
        )
    crossed = organization.at_risk != at_risk
    organization.health_score, organization.at_risk, organization.health_computed_at = (
        health.score,
        at_risk,
        now,
    )
    organization.save(update_fields=["health_score", "at_risk", "health_computed_at"])
    if crossed or should_alert:
        open_tickets = list(
            Ticket.objects.filter(organization=organization, status__in=OPEN_STATUSES)
            .select_related("organization", "category", "team", "tier")
            .order_by("-priority_score", "created_at")
        )
        _rescore_open_tickets(open_tickets, now, at_risk=at_risk, health=health.score)
        if should_alert:
            title = f"Account at risk: {organization.name} (health {health.score:.0f}/100)"
            notify(
                recipients=_alert_recipients(organization),
                kind=ALERT_KIND,
                title=title,
                body=_alert_body(organization, record, open_tickets),
            )
    return record


def account_health_request(*, organization_id: int, trigger: str = "ticket") -> AccountHealth | None:
    """Refresh an account's health soon: now, unless it was refreshed within the debounce period; then one
    delayed refresh is scheduled for when the period ends (many ticket changes, one computation)."""
    debounce = settings.ACCOUNT_HEALTH_DEBOUNCE_SECONDS
    last = (
        Organization.objects.filter(pk=organization_id).values_list("health_computed_at", flat=True).first()
    )
    now = timezone.now()
    if debounce <= 0 or last is None or now - last >= dt.timedelta(seconds=debounce):
        return account_health_refresh(organization_id=organization_id, trigger=trigger)
    Schedule.objects.get_or_create(
        name=f"account-health-{organization_id}",
        defaults={
            "func": "escalation.accounts.tasks.refresh_account_health",
            "args": f"{organization_id},",
            "schedule_type": Schedule.ONCE,
            "repeats": -1,
            "next_run": last + dt.timedelta(seconds=debounce),
        },
    )
    return None
