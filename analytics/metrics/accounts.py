"""Accounts: which are at risk and why (with the history of their health), how accounts fared after
escalated vs smooth support experiences, and how well the health score foresaw churn.

Retention after escalation: each outcome recorded in the range (renewed, expanded, contracted, churned)
is grouped by the account's experience in the EXPERIENCE_DAYS before it: escalation-heavy when at least
HEAVY_SHARE of its tickets were escalated, smooth otherwise. Retained = any outcome but churned. The
difference between the groups is tested with Fisher's exact test.

Prediction: for each outcome, the account's last computed health before the outcome date (at least
LEAD_DAYS before it). AUC = the probability that a churned account scored lower than a retained one
(Mann-Whitney U / (n_churned x n_retained)); 0.5 is a coin toss, 1.0 a perfect ranking. The one-sided
Mann-Whitney test says whether the ranking is better than chance, which a few churned accounts cannot show.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q
from scipy.stats import fisher_exact, mannwhitneyu

from analytics.filters import Filters, day_start
from analytics.report import Chart, Column, Report, Stat, Table, rate
from escalation.models.accounts import AccountHealth, AccountOutcome, OutcomeKind
from helpdesk.models import OPEN_STATUSES, Organization, Ticket

EXPERIENCE_DAYS = 180
HEAVY_SHARE = 0.3
LEAD_DAYS = 30
HISTORY_ROWS = 50  # the newest changes; every record is in admin (Account health)
MIN_FOR_TEST = 5
RETAINED = (OutcomeKind.RENEWED, OutcomeKind.EXPANDED, OutcomeKind.CONTRACTED)


def _at_risk_table() -> Table:
    organizations = list(
        Organization.objects.filter(at_risk=True)
        .select_related("account_manager")
        .annotate(open_tickets=Count("tickets", filter=Q(tickets__status__in=OPEN_STATUSES)))
        .order_by("health_score", "name")
    )
    history: dict[int, list[AccountHealth]] = {}
    for record in AccountHealth.objects.filter(organization__in=organizations).order_by("computed_at", "id"):
        history.setdefault(record.organization_id, []).append(record)
    rows = []
    for org in organizations:
        records = history.get(org.pk, [])
        since = None
        for record in records:  # the start of the current at-risk stretch
            since = (since or record.first_computed_at) if record.at_risk else None
        latest = records[-1] if records else None
        labels = {f["name"]: f["label"] for f in (latest.factors if latest else [])}
        rows.append(
            {
                "organization": org.name,
                "score": org.health_score,
                "reasons": ", ".join(labels.get(r, r) for r in (latest.reasons if latest else [])),
                "manager": org.account_manager.username if org.account_manager_id else "(team leads)",
                "open_tickets": org.open_tickets,
                "contract_value": float(org.annual_contract_value),
                "renewal_date": org.renewal_date,
                "at_risk_since": since,
            }
        )
    return Table(
        key="at_risk",
        title="Accounts at risk now",
        description="Health below the at-risk threshold; the reasons are the factors taking 3 points or more.",
        columns=[
            Column("organization", "Organization"),
            Column("score", "Health", "number"),
            Column("reasons", "Reasons"),
            Column("manager", "Account manager"),
            Column("open_tickets", "Open tickets", "int"),
            Column("contract_value", "Contract value", "money"),
            Column("renewal_date", "Renewal", "date"),
            Column("at_risk_since", "At risk since", "datetime"),
        ],
        rows=rows,
        chart=Chart("bars", label="organization", value="score", extra={"scale_max": 100}),
        show_table=True,
    )


def _history_table(filters: Filters) -> Table:
    records = (
        AccountHealth.objects.filter(first_computed_at__gte=filters.start, first_computed_at__lt=filters.end)
        .select_related("organization")
        .order_by("-first_computed_at", "-id")[:HISTORY_ROWS]
    )
    rows = [
        {
            "organization": r.organization.name,
            "at": r.first_computed_at,
            "score": r.score,
            "at_risk": "yes" if r.at_risk else "no",
            "reasons": ", ".join({f["name"]: f["label"] for f in r.factors}.get(n, n) for n in r.reasons),
            "alerted": "yes" if r.alerted else "",
            "trigger": r.trigger,
        }
        for r in records
    ]
    return Table(
        key="history",
        title="Health changes",
        description=f"Each time an account's health moved, crossed the threshold or gained reasons (newest "
        f"{HISTORY_ROWS}). Alerted = its account manager was told.",
        columns=[
            Column("organization", "Organization"),
            Column("at", "When", "datetime"),
            Column("score", "Health", "number"),
            Column("at_risk", "At risk"),
            Column("reasons", "Reasons"),
            Column("alerted", "Alerted"),
            Column("trigger", "Trigger"),
        ],
        rows=rows,
        show_table=True,
    )


def _outcomes(filters: Filters) -> list[dict[str, Any]]:
    """Outcomes dated in the range, each with whether the account had an escalated ticket before it and
    its health LEAD_DAYS ahead. Two small queries per outcome: an account has about one a year."""
    rows = list(
        AccountOutcome.objects.filter(date__gte=filters.since, date__lte=filters.until)
        .order_by("date", "pk")
        .values("pk", "organization_id", "kind", "date")
    )
    for o in rows:
        experience_from = o["date"] - dt.timedelta(days=EXPERIENCE_DAYS)
        health_by = o["date"] - dt.timedelta(days=LEAD_DAYS)
        # Whole days as a time range, so the (organization, created_at) index bounds the scan.
        experience = Ticket.objects.filter(
            organization_id=o["organization_id"],
            created_at__gte=day_start(experience_from + dt.timedelta(days=1)),
            created_at__lt=day_start(o["date"] + dt.timedelta(days=1)),
        ).aggregate(tickets=Count("*"), escalated=Count("escalation_count", filter=Q(escalation_count__gt=0)))
        o["escalated_share"] = rate(experience["escalated"], experience["tickets"]) or 0.0
        o["escalated"] = o["escalated_share"] >= HEAVY_SHARE
        record = (
            AccountHealth.objects.filter(
                organization_id=o["organization_id"],
                computed_at__lt=day_start(health_by + dt.timedelta(days=1)),
            )
            .order_by("-computed_at")
            .values("score", "at_risk")
            .first()
        )
        o["score"], o["flagged"] = (record["score"], record["at_risk"]) if record else (None, None)
    return rows


def _retention_table(outcomes: list[dict[str, Any]]) -> tuple[Table, str]:
    groups = {flag: {"accounts": 0, "retained": 0, "expanded": 0, "churned": 0} for flag in (True, False)}
    for o in outcomes:
        g = groups[o["escalated"]]
        g["accounts"] += 1
        g["retained"] += o["kind"] in RETAINED
        g["expanded"] += o["kind"] == OutcomeKind.EXPANDED
        g["churned"] += o["kind"] == OutcomeKind.CHURNED
    rows = [
        {
            "experience": label,
            "outcomes": g["accounts"],
            "retained": rate(g["retained"], g["accounts"]),
            "expanded": rate(g["expanded"], g["accounts"]),
            "churned": g["churned"],
        }
        for label, g in (
            (f"Escalation-heavy (≥ {HEAVY_SHARE:.0%} of tickets escalated)", groups[True]),
            (f"Smoother (< {HEAVY_SHARE:.0%} escalated)", groups[False]),
        )
    ]
    verdict = ""
    a, b = groups[True], groups[False]
    if min(a["accounts"], b["accounts"]) >= MIN_FOR_TEST:
        _, p = fisher_exact([[a["retained"], a["churned"]], [b["retained"], b["churned"]]])
        verdict = (
            f"Retention {rows[0]['retained']:.0%} after escalation-heavy experiences vs {rows[1]['retained']:.0%} "
            f"after smoother ones (Fisher's exact test p = {p:.3f}; "
            f"{'a real difference' if p < 0.05 else 'not significant'})."
        )
    table = Table(
        key="retention",
        title="Retention and expansion after escalated vs smooth experiences",
        description=f"Outcomes dated in the range, by the share of the account's tickets escalated in the "
        f"{EXPERIENCE_DAYS} days before. Retained = renewed, expanded or contracted. Test: Fisher's exact test "
        f"on retained/churned counts (only with ≥ {MIN_FOR_TEST} outcomes per group).",
        columns=[
            Column("experience", "Experience"),
            Column("outcomes", "Outcomes", "int"),
            Column("retained", "Retained", "rate"),
            Column("expanded", "Expanded", "rate"),
            Column("churned", "Churned", "int"),
        ],
        rows=rows,
        chart=Chart("bars", label="experience", value="retained", extra={"count": "outcomes"}),
    )
    return table, verdict


def _prediction_table(outcomes: list[dict[str, Any]]) -> tuple[Table, list[Stat], str]:
    scored = [o for o in outcomes if o["score"] is not None]
    churned = [o["score"] for o in scored if o["kind"] == OutcomeKind.CHURNED]
    retained = [o["score"] for o in scored if o["kind"] in RETAINED]
    auc = None
    verdict = ""
    if churned and retained:
        # U counts the (retained, churned) pairs in which the retained account scored higher; the one-sided
        # test asks whether health foresaw churn better than chance (a handful of churned accounts rarely can).
        test = mannwhitneyu(retained, churned, alternative="greater")
        auc = round(float(test.statistic) / (len(churned) * len(retained)), 4)
        verdict = (
            f"The health score ranked churned below retained accounts {auc:.0%} of the time (AUC "
            f"{auc:.2f} over {len(churned)} churned and {len(retained)} retained, scored {LEAD_DAYS}+ days ahead; "
            f"Mann-Whitney U test p = {test.pvalue:.3f}, "
            f"{'better than chance' if test.pvalue < 0.05 else 'not distinguishable from chance'})."
        )
    flagged = [o for o in scored if o["flagged"]]
    rows = []
    for label, group in (
        ("Churned", [o for o in scored if o["kind"] == OutcomeKind.CHURNED]),
        ("Retained", [o for o in scored if o["kind"] in RETAINED]),
    ):
        scores = [o["score"] for o in group]
        rows.append(
            {
                "outcome": label,
                "accounts": len(group),
                "average_health": round(sum(scores) / len(scores), 1) if scores else None,
                "flagged": rate(sum(bool(o["flagged"]) for o in group), len(group)),
            }
        )
    stats = [
        Stat("auc", "Health vs churn (AUC)", auc, "number", "0.5 = chance, 1 = perfect"),
        Stat(
            "precision",
            "At-risk flags that churned",
            rate(sum(o["kind"] == OutcomeKind.CHURNED for o in flagged), len(flagged)),
            "rate",
        ),
    ]
    table = Table(
        key="prediction",
        title="How well health foresaw the outcome",
        description=f"The last health computed at least {LEAD_DAYS} days before each outcome. Flagged = it was "
        "at risk then.",
        columns=[
            Column("outcome", "Outcome"),
            Column("accounts", "Accounts", "int"),
            Column("average_health", "Average health", "number"),
            Column("flagged", "Flagged at risk", "rate"),
        ],
        rows=rows,
        chart=Chart("bars", label="outcome", value="flagged", extra={"count": "accounts"}),
    )
    return table, stats, verdict


def accounts_report(filters: Filters) -> Report:
    report = Report(page="accounts", title="Accounts at risk")
    at_risk = _at_risk_table()
    outcomes = _outcomes(filters)
    retention, retention_verdict = _retention_table(outcomes)
    prediction, prediction_stats, prediction_verdict = _prediction_table(outcomes)
    report.stats = [
        Stat("at_risk", "Accounts at risk now", len(at_risk.rows)),
        Stat("outcomes", "Outcomes in range", len(outcomes)),
        *prediction_stats,
    ]
    report.highlights = [
        *(
            f"{row['organization']} is at risk (health {row['score']:.0f}): {row['reasons']}."
            for row in at_risk.rows[:3]
        ),
        *(line for line in (retention_verdict, prediction_verdict) if line),
    ]
    report.tables = [at_risk, _history_table(filters), retention, prediction]
    return report
