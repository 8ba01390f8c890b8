"""A customer submits a ticket in the portal; an agent finds it in a queue and works it; the customer rates it."""

from __future__ import annotations

import re
import uuid

import pytest

from tests.e2e.conftest import sign_in

pytestmark = pytest.mark.e2e


def test_a_ticket_travels_from_portal_to_agent_queue_and_back(server, open_page):
    subject = f"Refund needed {uuid.uuid4().hex[:6]}"
    customer = open_page()
    errors: list[str] = []
    # Script errors and CSP refusals; the deliberate 400 of the empty form is not one of them.
    customer.on("pageerror", lambda exc: errors.append(str(exc)))
    customer.on("console", lambda msg: errors.append(msg.text) if "Refused" in msg.text else None)

    sign_in(customer, server, "maria.schmidt@quantumlabs.example")
    customer.goto(f"{server}/portal/tickets/new/")
    customer.click("#ticket-form button[type=submit]")  # empty form: errors shown, nothing lost
    assert customer.locator(".error").first.is_visible()
    customer.fill("#id_subject", subject)
    customer.fill("#id_body", "I was charged twice for my subscription and would like a refund.")
    customer.click("#ticket-form button[type=submit]")
    customer.wait_for_url(re.compile(r".*/portal/tickets/\d+/submitted/"))
    number = customer.locator("#ticket-number").inner_text()
    ticket_id = number.lstrip("#")

    lead = open_page()
    sign_in(lead, server, "lead")
    lead.goto(f"{server}/agent/?queue=all&sort=newest")
    row = lead.locator(f"#ticket-row-{ticket_id}")
    row.wait_for(timeout=10_000)
    assert subject in row.inner_text()

    lead.click(f"#ticket-row-{ticket_id} a >> nth=0")
    lead.get_by_label("Message", exact=True).fill("Sorry about that — the duplicate charge is refunded.")
    lead.click("button[value=reply]")
    lead.locator(".message-agent").first.wait_for()
    lead.click("summary:has-text('Resolve')")
    lead.click("button[value=resolve]")
    lead.locator("#ticket-status:has-text('Resolved')").wait_for()

    customer.goto(f"{server}/portal/tickets/{ticket_id}/")
    assert "duplicate charge is refunded" in customer.content()
    customer.check("input[name=score][value='5']")
    customer.click("#rate button[type=submit]")
    customer.locator("text=Thank you for your rating").wait_for()
    assert not errors, errors  # no CSP violations or script errors in the browser
