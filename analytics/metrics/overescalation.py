"""Over-escalation: tiers that resolve no slower than tier 1 (so tier 1 might have kept the ticket), and
categories whose escalated tickets are resolved soon after the escalation (a quick fix someone earlier
in the chain could have made)."""

from __future__ import annotations

import numpy as np

from analytics.facts.cohort import Cohort
from analytics.facts.numbers import count_by, groups, looked_up, percentile_by
from analytics.filters import Filters
from analytics.metrics.common import MIN_TICKETS_FOR_FLAG, tier_name
from analytics.report import Chart, Column, Report, Stat, Table, hours, rate
from helpdesk.models import Category, Tier

SIMILAR_RATIO = 0.25  # a tier "barely differs" when its median is within 25% of tier 1's
QUICK_HOURS = 2.0
QUICK_SHARE = 0.5
# The ticket facts the page reads.
FACTS = ("resolved", "tier", "category", "escalation_count", "resolution_h", "at_tier_h", "after_last_h")


def _tiers(cohort: Cohort) -> Table:
    """Resolved tickets by the level of the tier they are at, i.e. the one that resolved them."""
    resolved, tier, at_tier, overall = cohort.tickets("resolved", "tier", "at_tier_h", "resolution_h")
    level = looked_up(tier[resolved], dict(Tier.objects.values_list("pk", "level")))
    group, keys = groups(level)
    tickets = count_by(group, len(keys))
    at_tier_medians = percentile_by(group, len(keys), at_tier[resolved], 0.5)
    overall_medians = percentile_by(group, len(keys), overall[resolved], 0.5)
    # Groups come by ascending level with "no tier" (-1) first; it goes last, where PostgreSQL sorts NULL.
    levels = sorted(
        ((None if key < 0 else key, i) for i, (key,) in enumerate(keys)), key=lambda li: li[0] is None
    )
    base = next((at_tier_medians[i] for level, i in levels if level == 1), None)
    rows = []
    for level, i in levels:
        ratio = at_tier_medians[i] / base if base and at_tier_medians[i] is not None else None
        similar = (
            level not in (None, 1)
            and ratio is not None
            and abs(ratio - 1) <= SIMILAR_RATIO
            and tickets[i] >= MIN_TICKETS_FOR_FLAG
        )
        rows.append(
            {
                "tier": tier_name(level),
                "tickets": int(tickets[i]),
                "median_at_tier": hours(at_tier_medians[i]),
                "median_overall": hours(overall_medians[i]),
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


def _categories(cohort: Cohort) -> Table:
    """Resolved tickets by category: how many of the escalated ones were resolved within QUICK_HOURS of
    their last escalation, and the medians with and without an escalation."""
    resolved, category, escalations, after, resolution = cohort.tickets(
        "resolved", "category", "escalation_count", "after_last_h", "resolution_h"
    )
    names = dict(Category.objects.values_list("pk", "name"))
    # Category names are unique, so grouping by the live categories' ids is grouping by name.
    group, keys = groups(looked_up(category[resolved], {pk: pk for pk in names}))
    escalated = escalations[resolved] > 0
    after = np.where(escalated, after[resolved], np.nan)
    plain = np.where(escalations[resolved] == 0, resolution[resolved], np.nan)
    counts = count_by(group, len(keys), escalated)
    quick = count_by(group, len(keys), escalated & (after <= QUICK_HOURS))
    after_medians = percentile_by(group, len(keys), after, 0.5)
    plain_medians = percentile_by(group, len(keys), plain, 0.5)
    rows = []
    for i, (key,) in enumerate(keys):
        if not counts[i]:  # nothing escalated in this category: nothing to say about over-escalating
            continue
        share = rate(int(quick[i]), int(counts[i]))
        flagged = counts[i] >= MIN_TICKETS_FOR_FLAG and share is not None and share >= QUICK_SHARE
        rows.append(
            {
                "category": names.get(key) or "(none)",
                "escalated": int(counts[i]),
                "quick": int(quick[i]),
                "quick_share": share,
                "median_after": hours(after_medians[i]),
                "median_not_escalated": hours(plain_medians[i]),
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
    cohort = Cohort.of(filters)
    cohort.load(*(f"ticket.{name}" for name in FACTS))
    tiers = _tiers(cohort)
    categories = _categories(cohort)
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
