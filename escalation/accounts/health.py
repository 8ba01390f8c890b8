"""The account health score: 100 minus the points each warning sign takes away.

Each factor reads the account's facts (AccountFacts, built by `account_facts`) and returns a strength
from 0 to 1 and the words that explain it; its weight turns the strength into points lost. The weights
add up to 100, so a score of 100 means no warning sign and 0 means all of them at full strength.
In order:
- ticket frequency (15): tickets in the recent window against the account's own baseline rate (over the
  part of the baseline period the account already had tickets); full at three times the usual rate,
  nothing below three tickets
- sentiment trend (20): how negative the customer's recent messages are, or how far they fell
- escalations (15): escalations in the window, tickets escalated more than once counting again; full at
  5, or at 60 % of the window's tickets for a busy account
- CSAT trend (10): the recent average rating below 4, or its fall from before; full at 2
- SLA breaches (10): tickets of the window that breached their SLA; full at 3, or at half of the window's
  tickets for a busy account
- usage trend (10): falling engagement (active users, logins, feature adoption; full at -50 %) or a
  sudden rise in load (data volume, API calls; from +100 %, full at +300 %)
- renewal proximity (5): rises over the last 90 days before the renewal date
- contract value (5): what is at stake (log-scaled, full at 250,000 a year) times the trouble above
- churn risk (10): the churn risk typed in admin, taken as one input among the others
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Avg, Count, Min, Q

from escalation.models.accounts import ENGAGEMENT_MEASURES, LOAD_MEASURES, UsageMeasure
from helpdesk.models import AuthorKind, Csat, Message, Organization, Ticket, TicketEvent

ESCALATION_CODES = ("escalation.functional", "escalation.hierarchical")
REASON_POINTS = 3.0  # a factor taking at least this many points is named as a reason
FULL_STAKE = 250_000


@dataclass(frozen=True)
class AccountFacts:
    """Everything the factors read, gathered for one organization (no database access after build)."""

    today: dt.date
    window_days: int
    baseline_days: int
    contract_value: float = 0.0
    days_to_renewal: int | None = None
    churn_risk: float = 0.0
    tickets_recent: int = 0
    tickets_before: int = 0
    baseline_span_days: float | None = None  # how much of the baseline period the account had tickets in
    sentiment_recent: float | None = None
    sentiment_recent_n: int = 0
    sentiment_before: float | None = None
    escalations_recent: int = 0
    re_escalated_recent: int = 0
    csat_recent: float | None = None
    csat_recent_n: int = 0
    csat_before: float | None = None
    sla_breaches_recent: int = 0
    usage_trends: dict = field(default_factory=dict)


@dataclass(frozen=True)
class HealthFactor:
    name: str
    label: str
    weight: float
    strength: float
    value: float | str | None
    explanation: str

    @property
    def contribution(self) -> float:
        """Points this factor takes from the score (zero or negative)."""
        return -round(self.weight * self.strength, 2)

    def as_record(self) -> dict:
        return {
            "name": self.name,
            "label": self.label,
            "value": self.value,
            "weight": self.weight,
            "contribution": self.contribution,
            "explanation": self.explanation,
        }


@dataclass(frozen=True)
class Health:
    score: float
    factors: list[HealthFactor]

    @property
    def reasons(self) -> list[str]:
        """The factors that weigh on the score, heaviest first."""
        weighing = [f for f in self.factors if -f.contribution >= REASON_POINTS]
        return [f.name for f in sorted(weighing, key=lambda f: f.contribution)]


def _clamp(x: float) -> float:
    return max(0.0, min(1.0, x))


def _ticket_frequency(facts: AccountFacts) -> tuple[float, float | None, str]:
    span = facts.baseline_span_days or facts.baseline_days
    usual = facts.tickets_before / max(span, 1.0) * facts.window_days
    words = f"{facts.tickets_recent} tickets in {facts.window_days} days; usually {usual:.1f}"
    if facts.tickets_recent < 3:
        return 0.0, facts.tickets_recent, words
    ratio = facts.tickets_recent / max(usual, 1.0)
    return _clamp((ratio - 1) / 2), round(ratio, 2), f"{words} ({ratio:.1f}×)"


def _sentiment_trend(facts: AccountFacts) -> tuple[float, float | None, str]:
    if facts.sentiment_recent is None:
        return 0.0, None, f"no customer messages in {facts.window_days} days"
    recent = facts.sentiment_recent
    words = f"average sentiment {recent:+.2f} over {facts.sentiment_recent_n} customer messages"
    fall = 0.0
    if facts.sentiment_before is not None:
        fall = facts.sentiment_before - recent
        words += f" (before: {facts.sentiment_before:+.2f})"
    return _clamp(max(-recent / 0.6, fall)), round(recent, 3), words


def _escalations(facts: AccountFacts) -> tuple[float, float | None, str]:
    points = facts.escalations_recent + facts.re_escalated_recent
    words = f"{facts.escalations_recent} escalation(s) in {facts.window_days} days"
    if facts.re_escalated_recent:
        words += f", {facts.re_escalated_recent} ticket(s) escalated more than once"
    return _clamp(points / max(5.0, 0.6 * facts.tickets_recent)), facts.escalations_recent, words


def _csat_trend(facts: AccountFacts) -> tuple[float, float | None, str]:
    if facts.csat_recent is None:
        return 0.0, None, f"no ratings in {facts.window_days} days"
    recent = facts.csat_recent
    words = f"average CSAT {recent:.1f} from {facts.csat_recent_n} rating(s)"
    fall = 0.0
    if facts.csat_before is not None:
        fall = (facts.csat_before - recent) / 2
        words += f" (before: {facts.csat_before:.1f})"
    return _clamp(max((4 - recent) / 2, fall)), round(recent, 2), words


def _sla_breaches(facts: AccountFacts) -> tuple[float, float | None, str]:
    n = facts.sla_breaches_recent
    words = f"{n} of {facts.tickets_recent} ticket(s) breached their SLA in {facts.window_days} days"
    return _clamp(n / max(3.0, 0.5 * facts.tickets_recent)), n, words


def _usage_trend(facts: AccountFacts) -> tuple[float, float | None, str]:
    worst: tuple[float, float | None, str] = (0.0, None, "no usage change on record")
    for measure, trend in facts.usage_trends.items():
        change = trend.get("change", {}).get("30")
        if change is None or measure not in UsageMeasure.values:
            continue
        label = UsageMeasure(measure).label.split(" (")[0].lower()
        if measure in ENGAGEMENT_MEASURES and change < 0:
            candidate = (_clamp(-change / 0.5), change, f"{label} fell {-change:.0%} in 30 days")
        elif measure in LOAD_MEASURES and change >= 1.0:
            candidate = (_clamp(0.5 + (change - 1) / 4), change, f"{label} grew {change:.0%} in 30 days")
        else:
            candidate = (0.0, change, f"{label} {change:+.0%} in 30 days")
        if candidate[0] > worst[0] or worst[1] is None:
            worst = candidate
    strength, change, words = worst
    return strength, round(change, 3) if change is not None else None, words


def _renewal(facts: AccountFacts) -> tuple[float, float | None, str]:
    days = facts.days_to_renewal
    if days is None:
        return 0.0, None, "no renewal date"
    if days < 0:
        return 1.0, days, f"renewal {-days} days overdue"
    return _clamp(1 - days / 90), days, f"renews in {days} days"


def _churn_risk(facts: AccountFacts) -> tuple[float, float | None, str]:
    return _clamp(facts.churn_risk), facts.churn_risk, f"churn risk typed in admin: {facts.churn_risk:.0%}"


FACTORS: list[tuple[str, str, float, Callable[[AccountFacts], tuple[float, float | None, str]]]] = [
    ("ticket_frequency", "Ticket frequency", 15.0, _ticket_frequency),
    ("sentiment_trend", "Sentiment trend", 20.0, _sentiment_trend),
    ("escalations", "Escalations", 15.0, _escalations),
    ("csat_trend", "CSAT trend", 10.0, _csat_trend),
    ("sla_breaches", "SLA breaches", 10.0, _sla_breaches),
    ("usage_trend", "Usage trend", 10.0, _usage_trend),
    ("renewal", "Renewal proximity", 5.0, _renewal),
]
CONTRACT_WEIGHT = 5.0
CHURN_WEIGHT = 10.0


def health_of(facts: AccountFacts) -> Health:
    """Score an account from its facts; every factor is kept, with its contribution and explanation."""
    factors = []
    for name, label, weight, compute in FACTORS:
        strength, value, words = compute(facts)
        factors.append(HealthFactor(name, label, weight, round(strength, 3), value, words))
    trouble = sum(f.weight * f.strength for f in factors) / sum(f.weight for f in factors)
    stake = _clamp(math.log1p(facts.contract_value) / math.log1p(FULL_STAKE))
    factors.append(
        HealthFactor(
            "contract_value",
            "Contract value",
            CONTRACT_WEIGHT,
            round(stake * trouble, 3),
            facts.contract_value,
            f"{facts.contract_value:,.0f} a year at stake, weighed by the trouble above ({trouble:.0%})",
        )
    )
    strength, value, words = _churn_risk(facts)
    factors.append(
        HealthFactor("churn_risk", "Churn risk (admin)", CHURN_WEIGHT, round(strength, 3), value, words)
    )
    score = max(0.0, min(100.0, 100 + sum(f.contribution for f in factors)))
    return Health(score=round(score, 1), factors=factors)


# --- reading the facts ---------------------------------------------------------------------------


def facts_min_span(window_days: int) -> float:
    """The shortest baseline worth comparing with: a few tickets right before the window are no rate."""
    return float(window_days)


def account_facts(
    organization: Organization, *, now: dt.datetime, window_days: int, baseline_days: int
) -> AccountFacts:
    """The account's recent tickets, messages, escalations, ratings and usage, against its baseline:
    five aggregate queries whatever the number of tickets."""
    recent_from = now - dt.timedelta(days=window_days)
    before_from = recent_from - dt.timedelta(days=baseline_days)
    recent = Q(created_at__gte=recent_from)
    tickets = Ticket.objects.filter(
        organization=organization, created_at__gte=before_from, created_at__lte=now
    )
    counts = tickets.aggregate(
        recent=Count("pk", filter=recent),
        before=Count("pk", filter=~recent),
        breaches=Count("pk", filter=recent & Q(sla_breached=True)),
        re_escalated=Count("pk", filter=recent & Q(escalation_count__gte=2)),
        mood_recent=Avg("sentiment", filter=recent),
        mood_recent_n=Count("sentiment", filter=recent),
        mood_before=Avg("sentiment", filter=~recent),
        mood_before_n=Count("sentiment", filter=~recent),
        first_before=Min("created_at", filter=~recent),
    )
    messages = Message.objects.filter(
        ticket__organization=organization,
        author_kind=AuthorKind.CUSTOMER,
        is_internal=False,
        created_at__gte=before_from,
        created_at__lte=now,
        sentiment__isnull=False,
    ).aggregate(
        recent=Avg("sentiment", filter=recent),
        recent_n=Count("pk", filter=recent),
        before=Avg("sentiment", filter=~recent),
        before_n=Count("pk", filter=~recent),
    )
    escalations = TicketEvent.objects.filter(
        ticket__organization=organization,
        code__in=ESCALATION_CODES,
        created_at__gte=recent_from,
        created_at__lte=now,
    ).count()
    ratings = Csat.objects.filter(
        ticket__organization=organization, created_at__gte=before_from, created_at__lte=now
    ).aggregate(
        recent=Avg("score", filter=recent),
        recent_n=Count("pk", filter=recent),
        before=Avg("score", filter=~recent),
    )

    def mean(a: float | None, n: int, b: float | None, m: int) -> tuple[float | None, int]:
        if not n and not m:
            return None, 0
        return ((a or 0) * n + (b or 0) * m) / (n + m), n + m

    # A ticket's own sentiment is its first message's; later customer messages carry their own.
    mood_recent, mood_n = mean(
        counts["mood_recent"], counts["mood_recent_n"], messages["recent"], messages["recent_n"]
    )
    mood_before, _ = mean(
        counts["mood_before"], counts["mood_before_n"], messages["before"], messages["before_n"]
    )
    return AccountFacts(
        today=now.date(),
        window_days=window_days,
        baseline_days=baseline_days,
        contract_value=float(organization.annual_contract_value or 0),
        days_to_renewal=organization.days_to_renewal(now.date()),
        churn_risk=organization.churn_risk or 0.0,
        tickets_recent=counts["recent"],
        tickets_before=counts["before"],
        baseline_span_days=(
            max((recent_from - counts["first_before"]).total_seconds() / 86400, facts_min_span(window_days))
            if counts["first_before"]
            else None
        ),
        sentiment_recent=mood_recent,
        sentiment_recent_n=mood_n,
        sentiment_before=mood_before,
        escalations_recent=escalations,
        re_escalated_recent=counts["re_escalated"],
        csat_recent=ratings["recent"],
        csat_recent_n=ratings["recent_n"],
        csat_before=ratings["before"],
        sla_breaches_recent=counts["breaches"],
        usage_trends=organization.usage_trends or {},
    )
