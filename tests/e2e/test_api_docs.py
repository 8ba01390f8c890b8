"""The API reference at /api/docs/ renders in a real browser from packaged assets, under the strict CSP."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e


def test_the_api_docs_show_every_operation(server, open_page):
    page = open_page()
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(server) else None)

    page.goto(f"{server}/api/docs/")
    page.wait_for_selector(".opblock-summary-path", timeout=20_000)
    paths = set(page.locator(".opblock-summary-path").all_inner_texts())
    assert {"/api/tickets/", "/api/tickets/{id}/escalate/", "/api/agents/{username}/"} <= {
        p.replace("\u200b", "") for p in paths
    }
    assert page.locator(".opblock").count() >= 10

    # Opening an operation shows its own request body, not the ticket-creation one.
    page.click("#operations-tickets-tickets_escalate_create .opblock-summary")
    page.wait_for_selector("#operations-tickets-tickets_escalate_create .opblock-body")
    assert "kind" in page.locator("#operations-tickets-tickets_escalate_create .opblock-body").inner_text()
    assert outside == [] and problems == []
