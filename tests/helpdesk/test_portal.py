"""The customer portal: submit, follow, reply, rate — and never see anyone else's tickets."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from helpdesk.models import AuthorKind, Csat, Status, Ticket
from helpdesk.services import errors
from tests.factories import CategoryFactory, MessageFactory, TicketFactory

pytestmark = pytest.mark.django_db


def test_pages_require_sign_in(client):
    for url in ("/portal/", "/portal/tickets/new/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_customer_submits_a_ticket_and_sees_its_number(customer_client, customer, billing):
    CategoryFactory(name="Refund request", team=billing)
    form = customer_client.get("/portal/tickets/new/")
    assert b"Refund request" in form.content

    response = customer_client.post(
        "/portal/tickets/new/", {"subject": "Refund", "body": "Charged twice", "category": ""}, follow=True
    )
    ticket = Ticket.objects.get()
    assert response.redirect_chain[-1][0] == f"/portal/tickets/{ticket.pk}/submitted/"
    assert f"#{ticket.pk}".encode() in response.content
    assert ticket.customer == customer and ticket.channel == "portal"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"subject": "", "body": "text"}, errors.ERR_SUBJECT_REQUIRED),
        ({"subject": "hi", "body": ""}, errors.ERR_BODY_REQUIRED),
        ({"subject": "s" * 201, "body": "text"}, "at most 200 characters"),
        ({"subject": "hi", "body": "b" * 20_001}, "at most 20000 characters"),
        ({"subject": "hi", "body": "text", "category": "99999"}, "Select a valid choice"),
    ],
)
def test_bad_input_is_shown_in_the_form_and_keeps_what_was_typed(customer_client, data, message):
    response = customer_client.post("/portal/tickets/new/", data)
    assert response.status_code == 400
    assert message in response.content.decode()
    if data["body"]:
        assert data["body"][:50] in response.content.decode()  # nothing typed is lost
    assert Ticket.objects.count() == 0


def test_ticket_text_is_stored_as_text_and_shown_escaped(customer_client, customer):
    customer_client.post(
        "/portal/tickets/new/", {"subject": "<b>bold</b>", "body": "<script>alert(1)</script>"}
    )
    ticket = Ticket.objects.get()
    assert ticket.body == "<script>alert(1)</script>"
    page = customer_client.get(f"/portal/tickets/{ticket.pk}/").content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_customers_only_see_their_own_tickets(customer_client, customer, other_customer):
    mine = TicketFactory(customer=customer, subject="Mine")
    theirs = TicketFactory(customer=other_customer, subject="Theirs")
    listing = customer_client.get("/portal/").content.decode()
    assert "Mine" in listing and "Theirs" not in listing
    for url in (
        f"/portal/tickets/{theirs.pk}/",
        f"/portal/tickets/{theirs.pk}/submitted/",
        "/portal/tickets/999999999999/",
        "/portal/tickets/99999999999999999999999/",
    ):
        assert customer_client.get(url).status_code == 404
    assert customer_client.post(f"/portal/tickets/{theirs.pk}/reply/", {"body": "hi"}).status_code == 404
    assert customer_client.get(f"/portal/tickets/{mine.pk}/").status_code == 200


def test_internal_notes_never_reach_the_customer(customer_client, customer, agent):
    ticket = TicketFactory(customer=customer)
    MessageFactory(ticket=ticket, author=agent.user, author_kind=AuthorKind.AGENT, body="Public answer")
    MessageFactory(
        ticket=ticket,
        author=agent.user,
        author_kind=AuthorKind.AGENT,
        body="Customer is rude",
        is_internal=True,
    )
    page = customer_client.get(f"/portal/tickets/{ticket.pk}/").content.decode()
    assert "Public answer" in page
    assert "Customer is rude" not in page


def test_customer_replies_and_the_reply_appears(customer_client, customer):
    ticket = TicketFactory(customer=customer)
    response = customer_client.post(
        f"/portal/tickets/{ticket.pk}/reply/", {"body": "More info here"}, follow=True
    )
    assert "More info here" in response.content.decode()
    empty = customer_client.post(f"/portal/tickets/{ticket.pk}/reply/", {"body": "  "})
    assert empty.status_code == 400
    # One of message and files is needed: the form says so instead of calling the message optional.
    html = empty.content.decode()
    assert errors.ERR_MESSAGE_EMPTY in html
    assert re.search(r'<label for="id_body">Message</label>', html)


def test_customer_rates_a_resolved_ticket_once_and_may_revise_it_for_a_week(customer_client, customer):
    ticket = TicketFactory(customer=customer, status=Status.RESOLVED)
    page = customer_client.get(f"/portal/tickets/{ticket.pk}/").content.decode()
    assert "Rate this ticket" in page
    customer_client.post(f"/portal/tickets/{ticket.pk}/rate/", {"score": "5", "comment": "Great"})
    ticket.refresh_from_db()
    assert ticket.csat.score == 5
    page = customer_client.get(f"/portal/tickets/{ticket.pk}/").content.decode()
    assert "Rate this ticket" not in page and "5/5" in page and "Very satisfied" in page
    # Still one rating: a second answer within the week replaces the first.
    customer_client.post(f"/portal/tickets/{ticket.pk}/rate/", {"score": "4"})
    assert Csat.objects.get(ticket=ticket).score == 4
    with time_machine.travel(timezone.now() + dt.timedelta(days=8)):
        again = customer_client.post(f"/portal/tickets/{ticket.pk}/rate/", {"score": "1"})
    assert again.status_code == 400
    assert errors.ERR_ALREADY_RATED in again.content.decode()
    assert Csat.objects.get(ticket=ticket).score == 4


def test_closed_ticket_offers_a_new_ticket_instead_of_a_reply(customer_client, customer):
    ticket = TicketFactory(customer=customer, status=Status.CLOSED)
    page = customer_client.get(f"/portal/tickets/{ticket.pk}/").content.decode()
    assert "Send reply" not in page and "Open a new ticket" in page


def test_pages_carry_a_strict_content_security_policy(customer_client):
    response = customer_client.get(reverse("portal:home"))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "<script>" not in response.content.decode()  # no inline scripts
    assert " on" + "click=" not in response.content.decode()
