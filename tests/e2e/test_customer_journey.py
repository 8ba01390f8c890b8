"""A customer's whole way in, at desktop and phone sizes, in headless Chromium against the running system:
created through the API → invitation e-mail → chooses a password → finds an answer in the help center →
types a new question, sees suggestions that do not help, files the ticket with a file → the team answers
and resolves it → rates it from the e-mail link, says what went wrong.

Every page on the way is checked with axe-core (from the axe-playwright-python package): no serious or
critical violations. Screenshots go to $E2E_SCREENSHOTS (or the test's temporary folder).
"""

from __future__ import annotations

import os
import re
import uuid
from pathlib import Path

import pytest

from tests.e2e.conftest import api, sign_in

pytestmark = pytest.mark.e2e

VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


class Checked:
    """A page that is checked for accessibility and photographed at each step."""

    def __init__(self, page, folder: Path, size: str):
        from axe_playwright_python.sync_playwright import Axe

        self.page, self.folder, self.size, self.axe = page, folder, size, Axe()
        self.problems: list[str] = []
        page.on("pageerror", lambda exc: self.problems.append(f"script error: {exc}"))
        page.on("console", lambda msg: self.problems.append(msg.text) if "Refused" in msg.text else None)

    def step(self, name: str) -> None:
        self.page.wait_for_load_state("networkidle")
        results = self.axe.run(self.page)
        serious = [
            f"{name}: {v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
            for v in results.response["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        self.problems.extend(serious)
        self.page.screenshot(path=str(self.folder / f"portal-{name}-{self.size}.png"), full_page=True)
        # Usable on a phone: nothing wider than the screen.
        overflow = self.page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        if overflow > 1:
            self.problems.append(f"{name}: the page is {overflow}px wider than the screen")


@pytest.fixture
def screenshots(tmp_path) -> Path:
    folder = Path(os.environ.get("E2E_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_a_new_customer_gets_in_helps_themselves_files_a_ticket_and_rates_it(
    server, mailbox, browser, screenshots, size, tmp_path
):
    email = f"nina.{uuid.uuid4().hex[:8]}@newco.example"
    ticket = api(
        server,
        "POST",
        "/api/tickets/",
        {
            "subject": "Onboarding call",
            "body": "Please set up our account.",
            "customer_email": email,
            "customer_name": "Nina Weber",
            "organization": "NewCo",
        },
    )
    assert ticket["id"]

    # The invitation e-mail, with an absolute link to the portal.
    invitation = mailbox.wait_for(to=email, subject="invited to the help center")
    text = invitation.get_body(preferencelist=("plain",)).get_content()
    link = re.search(r"http://\S+/accounts/invitation/\S+/", text).group(0)
    assert link.startswith(server)

    context = browser.new_context(viewport=VIEWPORTS[size], locale="en-US")
    page = context.new_page()
    checked = Checked(page, screenshots, size)

    page.goto(link)
    checked.step("1-invitation")
    page.fill("#id_password1", "a-long-new-password-1")
    page.fill("#id_password2", "a-long-new-password-1")
    page.click("#invitation-form button[type=submit]")
    page.wait_for_url(f"{server}/portal/")
    assert "Your password is set" in page.content()
    checked.step("2-my-tickets")

    # The used link explains itself.
    page.goto(link)
    assert "already been used" in page.content()
    checked.step("3-used-link")

    # A question the help center answers: search, read, "this solved my problem".
    page.goto(f"{server}/help/")
    checked.step("4-help-center")
    page.fill("#help-q", "forgot password reset link")
    page.press("#help-q", "Enter")
    page.wait_for_url(re.compile(r".*/help/search/\?q=.*"))
    checked.step("5-search")
    page.click("#search-results a >> nth=0")
    assert "Forgot password" in page.content() or "password" in page.content().lower()
    checked.step("6-article")
    page.click(".vote-form button[value=yes]")
    page.locator("text=You found this helpful").wait_for()
    page.click(".solved-form button[type=submit]")
    page.locator("#solved").wait_for()
    checked.step("7-solved")

    # A question it does not answer: suggestions appear while typing, the customer files the ticket.
    page.goto(f"{server}/portal/tickets/new/")
    page.fill("#id_subject", "Locked account after password reset")
    page.locator("#suggestions li").first.wait_for(timeout=10_000)
    assert "may answer your question" in page.inner_text("#suggestions")
    page.fill("#id_body", "I reset my password as the article says, but the account stays locked for hours.")
    checked.step("8-new-ticket-suggestions")
    log = tmp_path / "sign-in.log"
    log.write_text("2026-01-01 10:00 sign-in refused: account locked\n")
    page.set_input_files("#id_attachments", str(log))
    page.click("#submit-ticket")
    page.wait_for_url(re.compile(r".*/portal/tickets/\d+/submitted/"))
    number = page.inner_text("#ticket-number").lstrip("#")
    checked.step("9-submitted")

    # The team answers and resolves it.
    api(server, "POST", f"/api/tickets/{number}/messages/", {"body": "We unlocked your account."})
    api(server, "POST", f"/api/tickets/{number}/resolve/")
    page.goto(f"{server}/portal/tickets/{number}/")
    assert "We unlocked your account." in page.content() and "sign-in.log" in page.content()
    assert "via Portal" in page.content()
    checked.step("10-ticket")

    # Rating from the resolved e-mail's link: one click records it; a low score asks what went wrong.
    resolved = mailbox.wait_for(to=email, subject=f"[#{number}] Resolved")
    text = resolved.get_body(preferencelist=("plain",)).get_content()
    rate_link = re.search(r"http://\S+/portal/rate/\S+\?score=2", text).group(0)
    assert rate_link.startswith(server)
    page.goto(rate_link)
    assert "Dissatisfied" in page.text_content("#rated-score")
    assert page.locator("#id_what_went_wrong").is_visible()
    page.fill("#id_what_went_wrong", "It took two days to unlock.")
    checked.step("11-rated")
    page.click("#rating-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.input_value("#id_what_went_wrong") == "It took two days to unlock."
    page.goto(f"{server}/portal/tickets/{number}/rated/")  # the portal shows the same rating
    assert "Dissatisfied" in page.text_content("#rated-score")

    # My tickets, sorted as the column says.
    page.goto(f"{server}/portal/?sort=created")
    assert "created" in page.inner_text("#sorted-column").lower()
    checked.step("12-my-tickets-sorted")

    # Signed out: the sign-in page asks for the e-mail, and the reset page is there.
    page.click("form[action='/accounts/logout/'] button")
    page.goto(f"{server}/accounts/login/")
    assert page.inner_text("label[for=id_username]").startswith("E-mail")
    checked.step("13-sign-in")
    page.fill("#id_username", email.upper())
    page.fill("#id_password", "a-long-new-password-1")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{server}/portal/")
    page.click("form[action='/accounts/logout/'] button")
    page.goto(f"{server}/accounts/password_reset/")
    checked.step("14-password-reset")
    context.close()

    assert not checked.problems, "\n".join(checked.problems)


@pytest.mark.parametrize("size", list(VIEWPORTS))
def test_the_other_customer_pages_pass_axe_in_english_and_german(server, browser, screenshots, size):
    """Pages the journey does not pass through: account pages, empty searches, the rating form, and the
    German portal of a demo customer."""
    context = browser.new_context(viewport=VIEWPORTS[size], locale="de-DE")
    page = context.new_page()
    checked = Checked(page, screenshots, size)
    for name, path in [
        ("a-signup", "/accounts/signup/"),
        ("b-reset-done", "/accounts/password_reset/done/"),
        ("c-reset-bad-link", "/accounts/reset/MQ/bad-token/"),
        ("d-unknown-invitation", "/accounts/invitation/unknown/"),
        ("e-search-nothing", "/help/search/?q=quantum+teleportation"),
    ]:
        page.goto(server + path)
        checked.step(name)
    assert "Konto anlegen" in page.content() or "Kein Artikel passt" in page.content()  # the browser's German

    sign_in(page, server, "maria.schmidt@quantumlabs.example")
    page.wait_for_url(f"{server}/portal/")
    checked.step("f-my-tickets-demo")
    page.goto(f"{server}/portal/tickets/new/")
    checked.step("g-new-ticket-empty")
    # "This solved it" on a suggestion ends the question without a ticket.
    page.fill("#id_subject", "How do I export a report to PDF?")
    page.locator("#suggestions li button").first.wait_for(timeout=10_000)
    page.locator("#suggestions li button").first.click()
    page.locator("#solved").wait_for()
    page.goto(f"{server}/portal/tickets/new/")
    page.click("#submit-ticket")  # errors in the form, announced
    checked.step("h-new-ticket-errors")
    page.goto(f"{server}/portal/")
    first = page.locator("#my-tickets tbody a").first
    first.click()
    checked.step("i-ticket")
    context.close()
    assert not checked.problems, "\n".join(checked.problems)
