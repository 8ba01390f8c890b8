"""The portal as customers expect it: files, sorting that says what it sorts, how each message was sent,
ratings in words with one click from a link, and suggestions while they write."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from helpdesk.models import Attachment, Channel, Csat, Message, Status, Ticket
from tests.factories import MessageFactory, TicketFactory


def test_a_new_ticket_carries_its_files_and_shows_them(customer_client, customer):
    response = customer_client.post(
        "/portal/tickets/new/",
        {
            "subject": "Export fails",
            "body": "See the log attached.",
            "attachments": [
                SimpleUploadedFile("export.log", b"ERROR 42", content_type="text/plain"),
                SimpleUploadedFile("screen.png", b"\x89PNG....", content_type="image/png"),
            ],
        },
    )
    assert response.status_code == 302
    ticket = Ticket.objects.get(customer=customer)
    assert sorted(Attachment.objects.filter(ticket=ticket).values_list("name", flat=True)) == [
        "export.log",
        "screen.png",
    ]
    page = customer_client.get(f"/portal/tickets/{ticket.pk}/").content.decode()
    attachment = Attachment.objects.get(name="export.log")
    assert f'href="/attachments/{attachment.pk}/export.log"' in page
    assert customer_client.get(f"/attachments/{attachment.pk}/export.log").status_code == 200


def test_a_reply_may_be_files_alone_and_a_forbidden_type_is_refused(customer_client, customer):
    ticket = TicketFactory(customer=customer, status=Status.OPEN)
    ok = customer_client.post(
        f"/portal/tickets/{ticket.pk}/reply/",
        {
            "body": "",
            "attachments": [SimpleUploadedFile("invoice.pdf", b"%PDF-1.4", content_type="application/pdf")],
        },
    )
    assert ok.status_code == 302
    assert Message.objects.get(ticket=ticket).attachments.get().name == "invoice.pdf"
    bad = customer_client.post(
        f"/portal/tickets/{ticket.pk}/reply/",
        {"body": "and this", "attachments": [SimpleUploadedFile("run.exe", b"MZ")]},
    )
    assert bad.status_code == 400 and "run.exe" in bad.content.decode()
    assert Message.objects.filter(ticket=ticket).count() == 1


def test_each_message_says_how_it_was_sent(customer_client, customer):
    ticket = TicketFactory(customer=customer)
    MessageFactory(ticket=ticket, channel=Channel.EMAIL, body="Sent from my phone")
    page = customer_client.get(f"/portal/tickets/{ticket.pk}/").content.decode()
    assert "via E-mail" in page


def test_my_tickets_sort_by_last_update_or_creation_and_the_column_says_which(customer_client, customer):
    now = timezone.now()
    older = TicketFactory(customer=customer, subject="Older but busy", created_at=now - dt.timedelta(days=5))
    newer = TicketFactory(customer=customer, subject="Newer but quiet", created_at=now - dt.timedelta(days=1))
    Ticket.objects.filter(pk=older.pk).update(updated_at=now)
    Ticket.objects.filter(pk=newer.pk).update(updated_at=now - dt.timedelta(days=1))

    by_update = customer_client.get("/portal/").content.decode()
    assert by_update.index("Older but busy") < by_update.index("Newer but quiet")
    assert re.search(r'id="sorted-column">Last update', by_update)
    by_created = customer_client.get("/portal/?sort=created").content.decode()
    assert by_created.index("Newer but quiet") < by_created.index("Older but busy")
    assert re.search(r'id="sorted-column">Created', by_created)
    assert customer_client.get("/portal/?sort=nonsense").status_code == 200


def test_the_rating_scale_has_words_for_every_score(customer_client, customer):
    ticket = TicketFactory(customer=customer, status=Status.RESOLVED)
    page = customer_client.get(f"/portal/tickets/{ticket.pk}/rate/").content.decode()
    for words in ("Very dissatisfied", "Dissatisfied", "Neutral", "Satisfied", "Very satisfied"):
        assert f'<span class="rating-words">{words}</span>' in page
    assert "What went wrong?" in page


def test_one_click_from_the_link_rates_and_thanks(customer_client, customer):
    ticket = TicketFactory(customer=customer, status=Status.RESOLVED)
    response = customer_client.get(f"/portal/tickets/{ticket.pk}/rate/?score=5")
    assert response.status_code == 302 and response["Location"] == f"/portal/tickets/{ticket.pk}/rated/"
    assert Csat.objects.get(ticket=ticket).score == 5
    thanks = customer_client.get(response["Location"]).content.decode()
    assert "Thank you for your rating" in thanks and "Very satisfied" in thanks
    # The same link again changes nothing.
    customer_client.get(f"/portal/tickets/{ticket.pk}/rate/?score=1")
    assert Csat.objects.get(ticket=ticket).score == 5


def test_a_low_score_asks_what_went_wrong_and_keeps_the_answer(customer_client, customer):
    ticket = TicketFactory(customer=customer, status=Status.RESOLVED)
    customer_client.get(f"/portal/tickets/{ticket.pk}/rate/?score=2")
    thanks = customer_client.get(f"/portal/tickets/{ticket.pk}/rated/").content.decode()
    assert "We are sorry it did not go well. What went wrong?" in thanks
    customer_client.post(
        f"/portal/tickets/{ticket.pk}/rate/",
        {"score": "2", "what_went_wrong": "It took a week", "comment": "Friendly though"},
    )
    csat = Csat.objects.get(ticket=ticket)
    assert (csat.score, csat.what_went_wrong, csat.comment) == (2, "It took a week", "Friendly though")


@pytest.mark.parametrize("score", ["0", "6", "x", ""])
def test_a_bad_score_in_the_link_shows_the_form_instead(customer_client, customer, score):
    ticket = TicketFactory(customer=customer, status=Status.RESOLVED)
    response = customer_client.get(f"/portal/tickets/{ticket.pk}/rate/?score={score}")
    assert response.status_code == 400 and 'id="rating-form"' in response.content.decode()
    assert not Csat.objects.exists()


def test_only_the_requester_rates_and_only_resolved_tickets(customer_client, customer, other_customer):
    theirs = TicketFactory(customer=other_customer, status=Status.RESOLVED)
    assert customer_client.get(f"/portal/tickets/{theirs.pk}/rate/?score=5").status_code == 404
    open_ticket = TicketFactory(customer=customer, status=Status.OPEN)
    response = customer_client.get(f"/portal/tickets/{open_ticket.pk}/rate/?score=5")
    assert response.status_code == 400 and not Csat.objects.exists()


def test_the_new_ticket_form_asks_for_suggestions_while_typing(customer_client):
    page = customer_client.get("/portal/tickets/new/?subject=Cannot%20sign%20in").content.decode()
    assert 'data-suggest-url="/api/articles/suggest/"' in page and "js/suggest.js" in page
    assert 'value="Cannot sign in"' in page
    assert 'enctype="multipart/form-data"' in page
