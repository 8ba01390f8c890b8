"""Over-escalation: tiers that resolve no slower than tier 1 (so tier 1 might have kept the ticket), and
categories whose escalated tickets are resolved soon after the escalation (a quick fix someone earlier
in the chain could have made)."""

from __future__ import annotations

from django.db.models import Case, Count, F, OuterRef, Q, Subquery, When
from django.db.models.functions import Coalesce
from django.db.models.lookups import LessThanOrEqual

from analytics.db import HoursBetween, Median
from analytics.filters import ESCALATION_CODES, Filters, cohort
from analytics.metrics.common import ESCALATED, MIN_TICKETS_FOR_FLAG, NOT_ESCALATED, RESOLVED, tier_name
from analytics.report import Chart, Column, Report, Stat, Table, hours, rate
from helpdesk.models import TicketEvent

SIMILAR_RATIO = 0.25  # a tier "barely differs" when its median is within 25% of tier 1's
QUICK_HOURS = 2.0
QUICK_SHARE = 0.5


def _last_escalation(events=None) -> Subquery:
    """For a ticket (outer query): the time of its latest escalation event (among `events`)."""
    events = TicketEvent.objects.all() if events is None else events
    return Subquery(
        events.filter(ticket_id=OuterRef("pk"), code__in=ESCALATION_CODES)
        .order_by("-created_at", "-pk")
        .values("created_at")[:1]
    )


def _tiers(filters: Filters) -> Table:
    # When the ticket reached the tier that resolved it: the latest escalation into that tier from
    # another tier; tickets that never changed tier entered at creation.
    into_tier = TicketEvent.objects.filter(to_tier=OuterRef("tier")).exclude(from_tier=F("to_tier"))
    # Only escalated tickets can have changed tier: the CASE spares the lookup for all the others.
    entered = Case(
        When(ESCALATED, then=Coalesce(_last_escalation(into_tier), "created_at")), default="created_at"
    )
    groups = (
        cohort(filters)
        .filter(RESOLVED)
        .values("tier__level")
        .annotate(
            tickets=Count("pk"),
            at_tier=Median(HoursBetween("resolved_at", entered)),
            overall=Median(HoursBetween("resolved_at", "created_at")),
        )
        .order_by("tier__level")
    )
    groups = list(groups)
    base = next((g["at_tier"] for g in groups if g["tier__level"] == 1), None)
    rows = []
    for g in groups:
        ratio = g["at_tier"] / base if base and g["at_tier"] is not None else None
        similar = (
            g["tier__level"] not in (None, 1)
            and ratio is not None
            and abs(ratio - 1) <= SIMILAR_RATIO
            and g["tickets"] >= MIN_TICKETS_FOR_FLAG
        )
        rows.append(
            {
                "tier": tier_name(g["tier__level"]),
                "tickets": g["tickets"],
                "median_at_tier": hours(g["at_tier"]),
                "median_overall": hours(g["overall"]),
                "ratio_to_tier1": None if ratio is None else round(ratio, 4),
                "barely_differs": "yes" if similar else "",
            }
        )
    return Table(
        key="tiers",
        title="Resolution time at each tier vs tier 1",
        description="Resolved tickets by the tier that resolved them. At tier = hours from reaching that "
        f"tier to resolution. A higher tier whose median is within {SIMILAR_RATIO:.0%} of tier 1's "
        "barely differs: tier 1 might have resolved those tickets itself.",
        columns=[
            Column("tier", "Tier"),
            Column("tickets", "Resolved", "int"),
            Column("median_at_tier", "Median at tier", "hours"),
            Column("median_overall", "Median from creation", "hours"),
            Column("ratio_to_tier1", "Ratio to tier 1", "number"),
            Column("barely_differs", "Barely differs"),
        ],
        rows=rows,
        chart=Chart(
            "bars", label="tier", value="median_at_tier", extra={"count": "tickets", "flag": "barely_differs"}
        ),
        show_table=True,
    )


def _categories(filters: Filters) -> Table:
    after = HoursBetween("resolved_at", Case(When(ESCALATED, then=_last_escalation())))
    groups = (
        cohort(filters)
        .filter(RESOLVED)
        .values(name=F("category__name"))
        .annotate(
            escalated=Count("pk", filter=ESCALATED),
            quick=Count("pk", filter=ESCALATED & Q(LessThanOrEqual(after, QUICK_HOURS))),
            median_after=Median(after, filter=ESCALATED),
            median_plain=Median(HoursBetween("resolved_at", "created_at"), filter=NOT_ESCALATED),
        )
        .filter(escalated__gt=0)
        .order_by("name")
    )
    rows = []
    for g in groups:
        share = rate(g["quick"], g["escalated"])
        flagged = g["escalated"] >= MIN_TICKETS_FOR_FLAG and share is not None and share >= QUICK_SHARE
        rows.append(
            {
                "category": g["name"] or "(none)",
                "escalated": g["escalated"],
                "quick": g["quick"],
                "quick_share": share,
                "median_after": hours(g["median_after"]),
                "median_not_escalated": hours(g["median_plain"]),
                "over_escalated": "yes" if flagged else "",
            }
        )
    rows.sort(key=lambda r: (-(r["quick_share"] or 0), r["category"]))
    return Table(
        key="categories",
        title="Categories escalated and then resolved quickly",
        description=f"Escalated, resolved tickets by category; quick = resolved within {QUICK_HOURS:g} h of "
        f"the last escalation. Flagged when at least {QUICK_SHARE:.0%} were quick.",
        columns=[
            Column("category", "Category"),
            Column("escalated", "Escalated and resolved", "int"),
            Column("quick", "Resolved quickly", "int"),
            Column("quick_share", "Quick share", "rate"),
            Column("median_after", "Median after escalation", "hours"),
            Column("median_not_escalated", "Median, not escalated", "hours"),
            Column("over_escalated", "Flagged"),
        ],
        rows=rows,
        chart=Chart(
            "bars",
            label="category",
            value="quick_share",
            extra={"count": "escalated", "flag": "over_escalated"},
        ),
        show_table=True,
    )


def overescalation_report(filters: Filters) -> Report:
    tiers = _tiers(filters)
    categories = _categories(filters)
    report = Report(page="over-escalation", title="Over-escalation")
    report.stats = [
        Stat(
            "similar_tiers",
            "Higher tiers about as fast as tier 1",
            sum(r["barely_differs"] == "yes" for r in tiers.rows),
        ),
        Stat(
            "quick_categories",
            "Categories resolved quickly after escalation",
            sum(r["over_escalated"] == "yes" for r in categories.rows),
        ),
    ]
    report.highlights = [
        f"{r['tier']} resolves in {r['median_at_tier']:.1f} h after reaching it, {r['ratio_to_tier1']:.2f}× tier 1's "
        "time: tier 1 may be escalating what it could solve."
        for r in tiers.rows
        if r["barely_differs"]
    ] + [
        f"{r['quick_share']:.0%} of escalated “{r['category']}” tickets were resolved within {QUICK_HOURS:g} h "
        "of the escalation."
        for r in categories.rows
        if r["over_escalated"]
    ]
    report.tables = [tiers, categories]
    return report
