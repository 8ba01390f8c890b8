"""A team lead reads the analytics in a real browser: charts drawn, filters applied in place, a table
exported, and nothing refused by the strict content security policy."""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e


def test_a_lead_filters_the_analytics_and_exports_a_table(server, open_page):
    page = open_page(accept_downloads=True)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if "Refused" in msg.text else None)

    sign_in(page, server, "lead")
    page.goto(f"{server}/analytics/")
    assert page.locator("svg.chart").count() >= 2
    tickets = page.locator(".stat-value").first.inner_text()

    page.click("nav.tabs >> text=Escalation rates")
    page.wait_for_url(re.compile(r".*/analytics/escalations/"))
    page.select_option("#id_team", "Billing")
    page.click("form.analytics-filters button[type=submit]")  # htmx swaps the report in place
    page.wait_for_url(re.compile(r".*team=Billing.*"))
    assert page.locator("#by_team svg.chart").is_visible()
    assert page.locator(".stat-value").first.inner_text() != tickets  # narrowed to Billing's tickets

    with page.expect_download() as download:
        page.click("#by_category a:has-text('CSV')")
    assert download.value.suggested_filename.startswith("escalations-by_category-")
    assert errors == []
