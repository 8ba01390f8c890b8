"""The analytics pages in the browser's terms: who may see what, filters, CSV, charts, query counts."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from analytics.facts.store import refresh as refresh_facts
from analytics.filters import ERR_DATE_BOUNDS, ERR_RANGE_ORDER
from analytics.metrics import PAGES
from helpdesk.models import Ticket

RANGE = "since=2025-03-03&until=2025-03-16"


def page_url(slug: str) -> str:
    return reverse("analytics:overview") if slug == "overview" else reverse("analytics:page", args=[slug])


@pytest.mark.parametrize("slug", list(PAGES))
def test_leads_see_every_page_with_charts_and_tables(lead_client, escalation_history, slug):
    response = lead_client.get(f"{page_url(slug)}?{RANGE}")
    assert response.status_code == 200
    html = response.content.decode()
    # The six tickets all read "Something is wrong": no topics to chart; nobody rated them: no
    # satisfaction to chart; the rest all draw (coverage lists every queue, at zero minutes when covered).
    assert ('role="img"' in html) == (slug not in ("topics", "satisfaction"))
    assert "<table" in html and 'href="/analytics/model/"' in html
    # Strict CSP: no inline styles or scripts anywhere on the page.
    assert " style=" not in html
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)


def test_overview_shows_the_numbers_of_the_range(lead_client, escalation_history):
    html = lead_client.get(f"/analytics/?{RANGE}").content.decode()
    assert re.search(r'stat-value">6</span><span class="stat-label">Tickets', html)
    assert re.search(r'stat-value">66.7%</span><span class="stat-label">Escalation rate', html)


def test_query_count_does_not_grow_with_the_number_of_tickets(
    lead_client, escalation_history, story, customer, invoices
):
    def queries(slug):
        refresh_facts()  # rebuilding the changed days is a fixed cost per day, apart from the report
        with CaptureQueriesContext(connection) as context:
            assert lead_client.get(f"{page_url(slug)}?{RANGE}").status_code == 200
        return len(context.captured_queries)

    before = {slug: queries(slug) for slug in PAGES}
    for hours in range(20, 40):
        story.escalate(story.ticket(customer, invoices, hours=hours), hours + 1)
    after = {slug: queries(slug) for slug in PAGES}
    assert after == before
    assert max(before.values()) <= 32  # small and fixed: the pages, names of teams/tiers/categories


def test_customers_are_refused_and_visitors_sent_to_sign_in(client, customer_client):
    assert customer_client.get("/analytics/timing/").status_code == 403
    customer_client.logout()
    response = client.get("/analytics/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_agents_see_only_their_own_numbers_whatever_they_ask_for(client, agent, escalation_history):
    client.force_login(agent.user)
    response = client.get(f"/analytics/?{RANGE}&agent=otto")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Your own numbers" in html and 'name="agent"' not in html
    assert re.search(r'stat-value">3</span><span class="stat-label">Tickets', html)  # ana's T1-T3


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("since=2025-03-16&until=2025-03-03", ERR_RANGE_ORDER),
        ("since=1999-12-31", ERR_DATE_BOUNDS),
        ("until=9999-12-31", ERR_DATE_BOUNDS),
        ("since=yesterday", "Enter a valid date."),
        ("team=Nobody", "Select a valid choice."),
        ("tier=abc", "Select a valid choice."),
    ],
)
def test_bad_filters_are_a_400_with_the_reason(lead_client, query, message):
    response = lead_client.get(f"/analytics/paths/?{query}")
    assert response.status_code == 400
    assert message in response.content.decode()


def test_filters_are_kept_in_the_tabs_and_shown_in_the_form(lead_client, escalation_history, technical):
    html = lead_client.get(f"/analytics/timing/?{RANGE}&team=Technical").content.decode()
    assert 'href="/analytics/paths/?since=2025-03-03&amp;until=2025-03-16&amp;team=Technical"' in html
    assert 'value="2025-03-03"' in html


def test_htmx_bad_filters_come_back_as_a_fragment_with_the_errors(lead_client):
    response = lead_client.get(
        "/analytics/?since=2025-03-16&until=2025-03-03", headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert response.status_code == 200  # htmx only swaps successful responses
    assert html.lstrip().startswith('<div id="analytics">') and ERR_RANGE_ORDER in html


def test_htmx_requests_get_the_report_fragment_only(lead_client, escalation_history):
    response = lead_client.get(f"/analytics/timing/?{RANGE}", headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="analytics">') and "<html" not in html


def test_every_table_exports_as_csv_with_raw_values(lead_client, escalation_history):
    response = lead_client.get(f"/analytics/escalations/by_team.csv?{RANGE}")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert 'filename="escalations-by_team-2025-03-03-2025-03-16.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["Name", "Tickets handled", "Escalated", "Escalation rate (fraction)", "Escalations"]
    assert rows[1:] == [["Billing", "4", "3", "0.75", "4"], ["Technical", "4", "2", "0.5", "2"]]


def test_csv_keeps_spreadsheets_from_running_customer_text_as_formulas(lead_client, escalation_history):
    Ticket.objects.filter(pk=escalation_history[1].pk).update(subject="=HYPERLINK(evil)")
    text = lead_client.get(f"/analytics/paths/ping_pong_recent.csv?{RANGE}").content.decode()
    assert "'=HYPERLINK(evil)" in text


def test_unknown_pages_and_tables_are_404(lead_client):
    assert lead_client.get("/analytics/nonsense/").status_code == 404
    assert lead_client.get("/analytics/timing/nonsense.csv").status_code == 404


def test_a_repeated_request_is_served_from_the_cache_until_the_data_changes(
    lead_client, escalation_history, story, customer, invoices
):
    def overview():
        with CaptureQueriesContext(connection) as context:
            html = lead_client.get(f"/analytics/?{RANGE}").content.decode()
        return html, len(context.captured_queries)

    first_html, computed = overview()
    again_html, cached = overview()
    report = re.compile(r'<div id="analytics">.*', re.S)  # the page head holds a fresh CSRF token
    assert report.search(again_html).group() == report.search(first_html).group()
    assert cached < computed - 2
    story.ticket(customer, invoices, hours=30)  # a new ticket: the data changed
    html, recomputed = overview()
    assert recomputed > cached + 2
    assert re.search(r'stat-value">7</span><span class="stat-label">Tickets', html)


@pytest.mark.parametrize("slug", list(PAGES))
def test_pages_render_on_an_empty_helpdesk(lead_client, slug):
    response = lead_client.get(page_url(slug))
    assert response.status_code == 200
    assert "Nothing in this range." in response.content.decode()
