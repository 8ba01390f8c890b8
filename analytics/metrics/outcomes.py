"""Outcomes: CSAT of escalated vs other tickets, a customer's ratings before and after their first
escalation, reopen rates, and the escalation history of organizations at risk of churning."""

from __future__ import annotations

from typing import Any

from django.db.models import Avg, Case, Count, F, IntegerField, Max, Q, Sum, When, Window
from django.db.models.expressions import RowRange
from django.db.models.functions import Coalesce

from analytics.filters import Filters, cohort
from analytics.metrics.common import ESCALATED, NOT_ESCALATED, RESOLVED, SATISFIED, round4
from analytics.report import Chart, Column, Report, Stat, Table, rate
from helpdesk.models import Organization

AT_RISK = 0.5
AT_RISK_ROWS = 50


def _rating_measures(name: str, condition: Q) -> dict:
    """Aggregates for one group of tickets' ratings: how many, how many satisfied (4-5), the average."""
    return {
        f"{name}_rated": Count("csat", filter=condition),
        f"{name}_satisfied": Count("csat", filter=condition & SATISFIED),
        f"{name}_average": Avg("csat__score", filter=condition),
    }


def _rating_row(counts: dict[str, Any], name: str, **labels: str) -> dict[str, Any]:
    return {
        **labels,
        "rated": counts[f"{name}_rated"],
        "csat": rate(counts[f"{name}_satisfied"], counts[f"{name}_rated"]),
        "average": round4(counts[f"{name}_average"]),
    }


RATING_COLUMNS = [
    Column("rated", "Ratings", "int"),
    Column("csat", "CSAT", "rate"),
    Column("average", "Average rating", "number"),
]
GROUPS = (("Escalated", "esc", ESCALATED), ("Not escalated", "plain", NOT_ESCALATED), ("All", "all", Q()))


def _csat_groups(filters: Filters) -> Table:
    measures = {}
    for _, name, condition in GROUPS:
        measures.update(_rating_measures(name, condition))
    counts = cohort(filters).aggregate(**measures)
    return Table(
        key="csat",
        title="CSAT: escalated vs not escalated",
        description="CSAT is the share of ratings that are 4 or 5 out of 5.",
        columns=[Column("group", "Tickets"), *RATING_COLUMNS],
        rows=[_rating_row(counts, name, group=label) for label, name, _ in GROUPS],
        chart=Chart("bars", label="group", value="csat", extra={"count": "rated"}),
    )


def _before_after(filters: Filters) -> Table:
    """Ratings of customers who had a ticket escalated: on their tickets opened before their first
    escalated ticket, vs on that ticket and the ones opened after it (by creation time)."""
    escalated = Case(When(ESCALATED, then=1), default=0, output_field=IntegerField())
    by_customer = {"partition_by": F("customer_id")}
    # Window functions in one pass: escalated tickets the customer opened earlier, and in total.
    tickets = cohort(filters).annotate(
        earlier=Coalesce(
            Window(
                Sum(escalated),
                **by_customer,
                order_by=[F("created_at").asc(), F("pk").asc()],
                frame=RowRange(start=None, end=-1),
            ),
            0,
        ),
        customer_escalated=Window(Sum(escalated), **by_customer),
    )
    periods = (
        ("Before first escalation", "before", Q(customer_escalated__gt=0, earlier=0) & NOT_ESCALATED),
        ("From first escalation on", "after", Q(earlier__gt=0) | ESCALATED),
    )
    measures = {}
    for _, name, condition in periods:
        measures.update(_rating_measures(name, condition))
    counts = tickets.aggregate(**measures)
    return Table(
        key="csat_before_after",
        title="CSAT before and after a customer's first escalation",
        description="Only customers who had a ticket escalated: ratings of their tickets opened before "
        "their first escalated ticket, and of that ticket and later ones.",
        columns=[Column("period", "Tickets"), *RATING_COLUMNS],
        rows=[_rating_row(counts, name, period=label) for label, name, _ in periods],
        chart=Chart("bars", label="period", value="csat", extra={"count": "rated"}),
    )


def _reopens(filters: Filters) -> Table:
    ever_resolved = RESOLVED | Q(reopen_count__gt=0)
    reopened = Q(reopen_count__gt=0)
    counts = cohort(filters).aggregate(
        **{
            f"{name}_{measure}": Count("pk", filter=condition & extra)
            for _, name, condition in GROUPS
            for measure, extra in (("resolved", ever_resolved), ("reopened", reopened))
        }
    )
    rows = [
        {
            "group": label,
            "resolved": counts[f"{name}_resolved"],
            "reopened": counts[f"{name}_reopened"],
            "rate": rate(counts[f"{name}_reopened"], counts[f"{name}_resolved"]),
        }
        for label, name, _ in GROUPS
    ]
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


def _at_risk(filters: Filters) -> tuple[Table, dict[str, Any]]:
    # Start from the cohort's tickets (read from the analytics index), not from each organization's
    # whole history; then fetch the few organizations shown.
    groups = {
        g["organization_id"]: g
        for g in cohort(filters)
        .filter(organization__churn_risk__gte=AT_RISK)
        .values("organization_id")
        .annotate(
            tickets=Count("pk"),
            escalated=Count("pk", filter=ESCALATED),
            breached=Count("pk", filter=Q(sla_breached=True)),
            csat_average=Avg("csat__score"),
            last_escalated=Max("created_at", filter=ESCALATED),
        )
    }
    organizations = Organization.objects.filter(pk__in=groups).order_by("-churn_risk", "name")[:AT_RISK_ROWS]
    rows = [
        {
            "organization": o.name,
            "segment": o.get_segment_display(),
            "churn_risk": o.churn_risk,
            "renewal_date": o.renewal_date,
            "tickets": groups[o.pk]["tickets"],
            "escalated": groups[o.pk]["escalated"],
            "escalation_rate": rate(groups[o.pk]["escalated"], groups[o.pk]["tickets"]),
            "breached": groups[o.pk]["breached"],
            "csat_average": round4(groups[o.pk]["csat_average"]),
            "last_escalated": groups[o.pk]["last_escalated"],
        }
        for o in organizations
    ]
    at_risk = Q(organization__churn_risk__gte=AT_RISK)
    split = cohort(filters).aggregate(
        risk_tickets=Count("pk", filter=at_risk),
        risk_escalated=Count("pk", filter=at_risk & ESCALATED),
        other_tickets=Count("pk", filter=~at_risk),
        other_escalated=Count("pk", filter=~at_risk & ESCALATED),
    )
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
    csat = _csat_groups(filters)
    at_risk, split = _at_risk(filters)
    reopens = _reopens(filters)
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
    report.tables = [csat, _before_after(filters), reopens, at_risk]
    return report
