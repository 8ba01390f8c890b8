"""The agent workspace in headless Chromium: search, bulk actions, macros, presence, shortcuts, the
narrow screen, and an axe-core accessibility check (axe from the axe-playwright-python package) of the
queue, ticket, portal and analytics pages with no serious or critical violations.

With E2E_SCREENSHOTS set, each step is also saved as a screenshot there (workspace-<step>-<width>.png)."""

from __future__ import annotations

import os
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e

SHOTS_DIR = os.environ.get("E2E_SCREENSHOTS", "")
CUSTOMER = "maria.schmidt@quantumlabs.example"


def _shot(page, name: str, width: int, *, full_page: bool = False) -> None:
    if SHOTS_DIR:
        page.screenshot(path=os.path.join(SHOTS_DIR, f"workspace-{name}-{width}.png"), full_page=full_page)


def _serious(page) -> list[tuple[str, str, list]]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("width", [1280, 390])
def test_no_serious_accessibility_violations(server, browser, width):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    sign_in(page, server, "lead")
    page.goto(f"{server}/agent/?queue=all")
    ticket_url = page.locator("[data-ticket-link]").first.get_attribute("href")
    pages = ["/agent/?queue=all", "/agent/?queue=all&status=any&search=refund", ticket_url, "/analytics/"]
    found = {}
    for url in pages:
        page.goto(server + url)
        page.wait_for_load_state("networkidle")
        found[url] = _serious(page)
        # Nothing wider than the screen but the tables' own scrolling regions.
        assert page.evaluate("document.documentElement.scrollWidth") <= width + 1, url
    context.close()
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    sign_in(page, server, CUSTOMER)
    page.goto(f"{server}/portal/")
    own = page.locator("a[href^='/portal/tickets/']:not([href$='/new/'])").first.get_attribute("href")
    for url in ["/portal/", "/portal/tickets/new/", own]:
        page.goto(server + url)
        page.wait_for_load_state("networkidle")
        found[url] = _serious(page)
    context.close()
    assert {url: v for url, v in found.items() if v} == {}


@pytest.mark.parametrize("width", [1280, 390])
def test_an_agent_searches_acts_in_bulk_and_replies_with_a_macro_while_a_colleague_watches(
    server, browser, width
):
    lead_context = browser.new_context(viewport={"width": width, "height": 900})
    page = lead_context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if "Refused" in msg.text else None)
    sign_in(page, server, "lead")

    # Search from the box: matches marked in the result rows.
    page.fill("#queue-search", "refund")
    page.press("#queue-search", "Enter")
    page.wait_for_url(re.compile(r".*search=refund.*"))
    assert page.locator("#queue-table mark").count() > 0
    _shot(page, "search", width)

    # Bulk: three rows get a tag, each recorded.
    page.goto(f"{server}/agent/?queue=all")
    boxes = page.locator("input[name=ids]")
    for i in range(3):
        boxes.nth(i).check()
    assert page.locator("#bulk-count").inner_text() == "3 selected"
    page.select_option("#bulk-action", "tags")
    page.fill("#bulk-value", f"e2e-wave-{width}")
    _shot(page, "bulk", width)
    page.click("#bulk-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "Add tags: 3 ticket(s) done." in page.locator(".flash").inner_text()
    page.goto(f"{server}/agent/?queue=all&status=any&tag=e2e-wave-{width}")
    assert page.locator("#queue-table tbody tr").count() == 3

    # Keyboard: ? lists the shortcuts.
    page.keyboard.press("?")
    assert page.locator("#shortcuts").is_visible()
    _shot(page, "shortcuts", width)
    page.keyboard.press("Escape")

    # The ticket page: a colleague opens it too, and types.
    ticket_url = page.locator("[data-ticket-link]").first.get_attribute("href")
    page.goto(server + ticket_url)
    page.wait_for_selector("body[data-live-state=open]", state="attached")
    colleague_context = browser.new_context(viewport={"width": 1280, "height": 900})
    colleague = colleague_context.new_page()
    sign_in(colleague, server, "admin")
    colleague.goto(server + ticket_url)
    expect(page.locator("#presence")).to_contain_text("Ada Admin is viewing")
    expect(colleague.locator("#presence")).to_contain_text("Lena Lindqvist is viewing")
    colleague.fill("#id_reply-body", "Looking into it")
    expect(page.locator("#presence")).to_contain_text("Ada Admin is typing a reply")

    # A macro fills the reply box; "Send and resolve" sends it and resolves, without jumping away.
    page.select_option("#id_reply-macro-choice", label="Thanks for waiting")
    expect(page.locator("#id_reply-body")).to_have_value(re.compile(r"thanks for waiting on #\d+"))
    _shot(page, "macro", width)
    _shot(colleague, "presence", 1280)
    send = page.locator("button[value=reply_resolve]")
    send.scroll_into_view_if_needed()
    before = page.evaluate("window.scrollY")
    send.click()
    expect(page.locator("#ticket-status")).to_contain_text("Resolved")
    # The page stays where the agent was: the reply just sent is on screen, not thrown back to the top.
    # (scrollY itself may move: the reply form gives way to the resolved ticket's actions.)
    sent_reply = page.locator("#conversation").get_by_text(re.compile(r"thanks for waiting on #\d+")).last
    expect(sent_reply).to_be_in_viewport()
    assert before == 0 or page.evaluate("window.scrollY") > 0
    _shot(page, "resolved", width, full_page=True)
    colleague_context.close()
    lead_context.close()
    assert errors == []
