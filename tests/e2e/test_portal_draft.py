"""A customer whose session expired while typing a ticket signs in again and finds the form filled."""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import DEMO, sign_in

pytestmark = pytest.mark.e2e

CUSTOMER = "maria.schmidt@quantumlabs.example"


def test_text_typed_before_the_session_expired_comes_back_after_signing_in(server, browser):
    context = browser.new_context()
    page = context.new_page()
    sign_in(page, server, CUSTOMER)
    page.goto(f"{server}/portal/tickets/new/")
    page.fill("#id_subject", "Export to CSV times out")
    page.fill("#id_body", "Since Monday every export over 10,000 rows stops after a minute.")

    context.clear_cookies(name="sessionid")  # the session has expired meanwhile (the CSRF cookie lives on)
    page.click("#ticket-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/accounts/login/.*"))
    page.fill("#id_username", CUSTOMER)
    page.fill("#id_password", DEMO.password_for(CUSTOMER))
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/portal/tickets/new/"))
    assert page.input_value("#id_subject") == "Export to CSV times out"
    assert "10,000 rows" in page.input_value("#id_body")

    page.click("#ticket-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/submitted/"))
    page.goto(f"{server}/portal/tickets/new/")
    assert page.input_value("#id_subject") == ""  # sent: the draft is forgotten
    context.close()
