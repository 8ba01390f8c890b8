"""Outcomes: CSAT of escalated vs other tickets, a customer's ratings before and after their first
escalation, reopen rates, and the escalation history of organizations at risk of churning."""

from __future__ import annotations

from typing import Any

import numpy as np

from analytics.facts.cohort import Cohort
from analytics.facts.numbers import count_by, groups, moment
from analytics.filters import Filters
from analytics.metrics.common import round4
from analytics.report import Chart, Column, Report, Stat, Table, rate
from helpdesk.models import Organization

AT_RISK = 0.5
AT_RISK_ROWS = 50
SATISFIED = 4  # ratings of 4 or 5 out of 5
# The ticket facts the page reads.
FACTS = (
    "customer",
    "organization",
    "created_us",
    "escalation_count",
    "breached",
    "csat",
    "reopens",
    "resolved",
)


def _average(total: int, count: int) -> float | None:
    """The average rating as the database's AVG of the integer scores gave it: their sum over their count."""
    return round4(total / count) if count else None


def _rating_row(ratings: np.ndarray, **labels: str) -> dict[str, Any]:
    """One group of tickets' ratings (0 = not rated): how many, the share satisfied (4-5), the average."""
    rated = ratings[ratings > 0]
    return {
        **labels,
        "rated": len(rated),
        "csat": rate(int((rated >= SATISFIED).sum()), len(rated)),
        "average": _average(int(rated.sum()), len(rated)),
    }


RATING_COLUMNS = [
    Column("rated", "Ratings", "int"),
    Column("csat", "CSAT", "rate"),
    Column("average", "Average rating", "number"),
]


def _groups(cohort: Cohort) -> list[tuple[str, np.ndarray]]:
    """Escalated (at least one escalation), not escalated, and all of the cohort's tickets."""
    escalations = cohort.tickets("escalation_count")
    return [
        ("Escalated", escalations > 0),
        ("Not escalated", escalations == 0),
        ("All", np.ones(len(escalations), dtype=bool)),
    ]


def _csat_groups(cohort: Cohort) -> Table:
    ratings = cohort.tickets("csat")
    return Table(
        key="csat",
        title="CSAT: escalated vs not escalated",
        description="CSAT is the share of ratings that are 4 or 5 out of 5.",
        columns=[Column("group", "Tickets"), *RATING_COLUMNS],
        rows=[_rating_row(ratings[members], group=label) for label, members in _groups(cohort)],
        chart=Chart("bars", label="group", value="csat", extra={"count": "rated"}),
    )


def _before_after(cohort: Cohort) -> Table:
    """Ratings of customers who had a ticket escalated: on their tickets opened before their first
    escalated ticket, vs on that ticket and the ones opened after it (by creation time)."""
    customer, escalations, ratings = cohort.tickets("customer", "escalation_count", "csat")
    # The cohort's tickets are in creation order, so a ticket's position orders it among its customer's.
    position = np.arange(len(customer))
    escalated = escalations > 0
    group, keys = groups(customer)
    # Each customer's first escalated ticket in the cohort; past the end for customers never escalated.
    first = np.full(len(keys), len(customer))
    np.minimum.at(first, group[escalated], position[escalated])
    first = first[group]
    periods = (
        ("Before first escalation", (position < first) & (first < len(customer))),
        ("From first escalation on", position >= first),
    )
    return Table(
        key="csat_before_after",
        title="CSAT before and after a customer's first escalation",
        description="Only customers who had a ticket escalated: ratings of their tickets opened before "
        "their first escalated ticket, and of that ticket and later ones.",
        columns=[Column("period", "Tickets"), *RATING_COLUMNS],
        rows=[_rating_row(ratings[members], period=label) for label, members in periods],
        chart=Chart("bars", label="period", value="csat", extra={"count": "rated"}),
    )


def _reopens(cohort: Cohort) -> Table:
    resolved, reopens = cohort.tickets("resolved", "reopens")
    # A reopened ticket that is open again has no resolution now, but it was resolved once.
    reopened = reopens > 0
    ever_resolved = resolved | reopened
    rows = []
    for label, members in _groups(cohort):
        resolved_count, reopened_count = int((members & ever_resolved).sum()), int((members & reopened).sum())
        rows.append(
            {
                "group": label,
                "resolved": resolved_count,
                "reopened": reopened_count,
                "rate": rate(reopened_count, resolved_count),
            }
        )
    return Table(
        key="reopens",
        title="Reopen rate",
        description="Tickets reopened at least once, out of the tickets resolved at least once.",
        columns=[
            Column("group", "Tickets"),
            Column("resolved", "Resolved", "int"),
            Column("reopened", "Reopened", "int"),
            Column("rate", "Reopen rate", "rate"),
        ],
        rows=rows,
        chart=Chart("bars", label="group", value="rate", extra={"count": "resolved"}),
    )


def _at_risk(cohort: Cohort) -> tuple[Table, dict[str, int]]:
    organization, escalations, breached, ratings, created = cohort.tickets(
        "organization", "escalation_count", "breached", "csat", "created_us"
    )
    # Churn risk is read live: an organization is at risk by its risk today, whenever its tickets came in.
    risky = list(
        Organization.objects.filter(churn_risk__gte=AT_RISK)
        .only("name", "segment", "churn_risk", "renewal_date")
        .order_by("-churn_risk", "name")
    )
    at_risk = np.isin(organization, [o.pk for o in risky])
    escalated = escalations > 0
    split = {
        "risk_tickets": int(at_risk.sum()),
        "risk_escalated": int((at_risk & escalated).sum()),
        "other_tickets": int((~at_risk).sum()),
        "other_escalated": int((~at_risk & escalated).sum()),
    }
    group, keys = groups(organization[at_risk])
    escalated, ratings, created = escalated[at_risk], ratings[at_risk], created[at_risk]
    tickets = count_by(group, len(keys))
    escalated_counts = count_by(group, len(keys), escalated)
    breaches = count_by(group, len(keys), breached[at_risk])
    rated = count_by(group, len(keys), ratings > 0)
    rating_sums = np.bincount(group, weights=ratings, minlength=len(keys)).astype(np.int64)
    latest = np.full(len(keys), -1, dtype=np.int64)
    np.maximum.at(latest, group[escalated], created[escalated])
    index = {key: i for i, (key,) in enumerate(keys)}
    rows = [
        {
            "organization": o.name,
            "segment": o.get_segment_display(),
            "churn_risk": o.churn_risk,
            "renewal_date": o.renewal_date,
            "tickets": int(tickets[i]),
            "escalated": int(escalated_counts[i]),
            "escalation_rate": rate(int(escalated_counts[i]), int(tickets[i])),
            "breached": int(breaches[i]),
            "csat_average": _average(int(rating_sums[i]), int(rated[i])),
            "last_escalated": moment(int(latest[i])) if escalated_counts[i] else None,
        }
        for o in risky
        if (i := index.get(o.pk)) is not None
    ][:AT_RISK_ROWS]
    table = Table(
        key="at_risk",
        title="Organizations at risk of churning: escalation history",
        description=f"Organizations with churn risk of {AT_RISK:.0%} or more that had tickets in the range, "
        "riskiest first.",
        columns=[
            Column("organization", "Organization"),
            Column("segment", "Segment"),
            Column("churn_risk", "Churn risk", "rate"),
            Column("renewal_date", "Renewal", "date"),
            Column("tickets", "Tickets", "int"),
            Column("escalated", "Escalated", "int"),
            Column("escalation_rate", "Escalation rate", "rate"),
            Column("breached", "SLA breaches", "int"),
            Column("csat_average", "Average rating", "number"),
            Column("last_escalated", "Latest escalated ticket", "datetime"),
        ],
        rows=rows,
    )
    return table, split


def outcomes_report(filters: Filters) -> Report:
    cohort = Cohort.of(filters)
    cohort.load(*(f"ticket.{name}" for name in FACTS))
    csat = _csat_groups(cohort)
    at_risk, split = _at_risk(cohort)
    reopens = _reopens(cohort)
    escalated_row, plain_row = csat.rows[0], csat.rows[1]
    report = Report(page="outcomes", title="Outcomes")
    report.stats = [
        Stat("csat_escalated", "CSAT, escalated", escalated_row["csat"], "rate"),
        Stat("csat_not_escalated", "CSAT, not escalated", plain_row["csat"], "rate"),
        Stat("reopen_rate", "Reopen rate", reopens.rows[2]["rate"], "rate"),
        Stat(
            "at_risk_escalation_rate",
            "Escalation rate, at-risk organizations",
            rate(split["risk_escalated"], split["risk_tickets"]),
            "rate",
        ),
        Stat(
            "other_escalation_rate",
            "Escalation rate, other organizations",
            rate(split["other_escalated"], split["other_tickets"]),
            "rate",
        ),
    ]
    report.tables = [csat, _before_after(cohort), reopens, at_risk]
    return report
