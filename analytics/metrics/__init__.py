"""The metrics behind each analytics page: one function per page, Filters in, Report out.

The overview, escalation rates, timing, paths, outcomes, training and over-escalation pages compute
from the day facts (analytics.facts: per-day arrays, a year in ~365 rows per column); the others
aggregate in the database and reshape the (bounded) grouped rows. Definitions: docs/metrics.md.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from analytics.filters import Filters
from analytics.metrics.accounts import accounts_report
from analytics.metrics.coverage import coverage_report
from analytics.metrics.dimensions import dimensions_report
from analytics.metrics.outcomes import outcomes_report
from analytics.metrics.overescalation import overescalation_report
from analytics.metrics.overview import overview_report
from analytics.metrics.paths import paths_report
from analytics.metrics.selfservice import satisfaction_report, selfservice_report
from analytics.metrics.timing import timing_report
from analytics.metrics.topics import topics_report
from analytics.metrics.training import training_report
from analytics.report import Report

ERR_LEADS_ONLY = "This page names agents or accounts: it is for team leads and admins."


@dataclass(frozen=True)
class Page:
    slug: str
    title: str
    build: Callable[[Filters], Report]
    leads_only: bool = False  # names agents or accounts: for team leads and admins


PAGES = {
    page.slug: page
    for page in (
        Page("overview", "Overview", overview_report),
        Page("escalations", "Escalation rates", dimensions_report),
        Page("timing", "Timing", timing_report),
        Page("paths", "Paths", paths_report),
        Page("outcomes", "Outcomes", outcomes_report),
        Page("training", "Training gaps", training_report, leads_only=True),
        Page("topics", "Topics & docs", topics_report),
        Page("over-escalation", "Over-escalation", overescalation_report),
        Page("coverage", "Coverage gaps", coverage_report),
        Page("accounts", "Accounts at risk", accounts_report, leads_only=True),
        Page("self-service", "Self-service", selfservice_report),
        Page("satisfaction", "Satisfaction", satisfaction_report),
    )
}
