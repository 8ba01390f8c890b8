"""The portal and customer e-mails speak the customer's language (English and German)."""

from __future__ import annotations

from django.core import mail

from helpdesk.models import Customer, Status
from helpdesk.services import customer_invite
from tests.factories import CustomerFactory, TicketFactory, UserFactory


def _german(customer_user):
    Customer.objects.filter(user=customer_user).update(language="de")


def test_a_signed_in_customer_sees_the_portal_in_their_language(customer_client, customer):
    _german(customer)
    TicketFactory(customer=customer, status=Status.RESOLVED, subject="Rechnung doppelt")
    page = customer_client.get("/portal/").content.decode()
    assert '<html lang="de">' in page
    assert "Meine Tickets" in page and "Letzte Änderung" in page and "Gelöst" in page
    form = customer_client.get("/portal/tickets/new/").content.decode()
    assert "Wie können wir helfen?" in form and "Betreff" in form and "Ticket absenden" in form
    empty = customer_client.post("/portal/tickets/new/", {"subject": "", "body": ""}).content.decode()
    assert "Bitte geben Sie dem Ticket einen Betreff." in empty  # domain errors too
    ticket = TicketFactory(customer=customer)
    reply = customer_client.post(f"/portal/tickets/{ticket.pk}/reply/", {"body": ""}).content.decode()
    assert "Schreiben Sie eine Nachricht oder hängen Sie eine Datei an." in reply


def test_the_rating_scale_in_german(customer_client, customer):
    _german(customer)
    ticket = TicketFactory(customer=customer, status=Status.RESOLVED)
    page = customer_client.get(f"/portal/tickets/{ticket.pk}/rate/").content.decode()
    for words in ("Sehr unzufrieden", "Unzufrieden", "Neutral", "Zufrieden", "Sehr zufrieden"):
        assert words in page
    assert "Was ist schiefgelaufen?" in page


def test_visitors_choose_their_language_and_customers_keep_it(client, customer):
    assert "Hilfecenter" not in client.get("/help/").content.decode()
    client.post("/language/", {"language": "de", "next": "/help/"})
    assert "Wie können wir helfen?" in client.get("/help/").content.decode()
    client.force_login(customer)
    client.post("/language/", {"language": "de", "next": "/portal/"})
    assert Customer.objects.get(user=customer).language == "de"
    client.post("/language/", {"language": "xx", "next": "/portal/"})  # unknown: ignored
    assert Customer.objects.get(user=customer).language == "de"


def test_the_browser_language_counts_for_visitors(client, db):
    page = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9").content.decode()
    assert "Anmelden" in page and '<label for="id_username">E-Mail' in page


def test_the_invitation_goes_out_in_the_customers_language(db, django_capture_on_commit_callbacks):
    user = CustomerFactory(
        user=UserFactory(username="jonas@firma.de", email="jonas@firma.de", first_name="Jonas"), language="de"
    ).user
    with django_capture_on_commit_callbacks(execute=True):
        customer_invite(user=user)
    message = mail.outbox[0]
    assert message.subject == "Sie sind zum Hilfecenter eingeladen"
    assert "Hallo Jonas," in message.body and "Tage lang" in message.body
