"""Every e-mail of the corpus (tests/helpdesk/mail/corpus/*.eml), posted to the inbound webhook as a
mail service would, and what a person reading the ticket afterwards must see.

The corpus e-mails that answer a ticket name it with {TICKET} (the subject's [#id]) and {OUR_ID} (the
Message-ID of our acknowledgement, in In-Reply-To/References); both are filled in from the ticket that
01-plain-new.eml opened, acknowledged through a real SMTP server.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from helpdesk.mail import safety
from helpdesk.mail.ingest import DUPLICATE, MAILBOX_TEAM, NO_SUBJECT, NO_TEXT, REPLY_TO
from helpdesk.models import Channel, InboundEmail, Mailbox, Message, Ticket, TicketCc
from tests.factories import UserFactory

CORPUS = Path(__file__).with_name("corpus")

# name -> what must come of it. outcome: "created" (a new ticket), "threaded" (a message on the
# conversation's ticket) or the reason it was ignored.
EXPECTED: dict[str, dict] = {
    "01-plain-new": {"outcome": "created", "subject": "Cannot export my invoices", "has": ["export button"]},
    "02-outlook-html-reply": {
        "outcome": "threaded",
        "has": ["It works again after clearing the cache"],
        "lacks": ["Please clear the browser cache", "Sent:", "MsoNormal"],
    },
    "03-gmail-reply": {"outcome": "threaded", "body": "Still broken on Firefox, sorry."},
    "04-apple-mail-reply": {
        "outcome": "threaded",
        "has": ["“Export queued” and then nothing"],
        "lacks": ["Please clear", "wrote:"],
    },
    "05-iso-8859-1": {
        "outcome": "created",
        "subject": "Rechnung für März fehlt",
        "has": ["die Rechnung für März ist nicht im Kundenportal", "Grüße"],
        "customer": "joerg@example.de",
        "customer_name": "Jörg",
    },
    "06-utf8-base64-subject": {
        "outcome": "created",
        "subject": "登录失败 - login fails",
        "has": ["我无法登录", "I cannot log in."],
    },
    "07-html-only": {
        "outcome": "created",
        "has": ["The chart is empty", "revenue chart", "Chrome 131"],
        "lacks": ["<script", "alert", "javascript:", "body{color"],
        "html_lacks": ["<script", "onerror", "javascript:", "<style"],
        "html_has": ["<b>revenue chart</b>"],
    },
    "08-multipart-attachments": {
        "outcome": "created",
        "files": ["sync.log", "report.pdf"],
        "has": ["log and screenshot attached", "[Attachment not kept:", "setup.exe"],
    },
    "09-inline-image": {
        "outcome": "created",
        "files": ["screenshot.png"],
        "inline": {"screenshot.png": "shot1@designco.test"},
    },
    "10-forwarded-inline": {
        "outcome": "created",
        "subject": "Fwd: Payment declined",
        "has": ["Our card was declined twice", "declined (code 51)"],  # a new ticket keeps the forwarded text
    },
    "11-forwarded-attachment": {"outcome": "created", "files": ["forwarded.eml"], "has": ["answer our CFO"]},
    "12-calendar-invite": {
        "outcome": "created",
        "files": ["invite.ics", "invite.ics"],
        "has": ["onboarding call"],
    },
    "13-attachment-only": {
        "outcome": "created",
        "subject": NO_SUBJECT,
        "body": NO_TEXT,
        "files": ["purchase-order.pdf"],
    },
    "14-oversized": {
        "outcome": "created",
        "files": [],
        "has": ["Here is the dump", "[Attachment not kept:", "dump.zip"],
    },
    "15-auto-reply": {"outcome": safety.AUTO_REPLY},
    "16-out-of-office-exchange": {"outcome": safety.AUTO_REPLY},
    "17-vacation-x-autoreply": {"outcome": safety.AUTO_REPLY},
    "18-dsn-bounce": {"outcome": safety.BOUNCE},
    "19-bounce-no-headers": {"outcome": safety.BOUNCE},
    "20-mailing-list": {"outcome": safety.LIST_MAIL},
    "21-precedence-bulk": {"outcome": safety.LIST_MAIL},
    "22-reply-to-differs": {
        "outcome": "created",
        "customer": "forms@acme.test",
        "reply_to": "peter@acme.test",
    },
    "23-spoofed-ticket-number": {
        "outcome": "created",  # a stranger naming someone's ticket gets a ticket of their own
        "customer": "mallory@evil.test",
        "subject": "Re: Cannot export my invoices",  # folded header: line breaks and runs of spaces collapse
    },
    "24-subject-reference-from-customer": {
        "outcome": "threaded",
        "has": ["only happens for invoices from 2025"],
    },
    "25-cc-colleague-reply": {"outcome": "threaded", "author": "bob@acme.test"},
    "26-our-own-mail-looped": {"outcome": safety.OWN_MAIL},
    "27-quoted-printable-windows-1252": {
        "outcome": "created",
        "subject": "Problème de facturation – urgent",
        "has": ["la facture n° 2026-118 est erronée", "200 € au lieu de 900 €"],
    },
    "28-duplicate-delivery": {"outcome": "created"},
    "29-billing-mailbox": {"outcome": "created", "mailbox_team": "Billing"},
    "30-gmail-signature-new": {"outcome": "created", "ccs": ["lead@startup.test"]},
}


def test_the_corpus_has_every_case_and_every_case_is_expected():
    names = {path.stem for path in CORPUS.glob("*.eml")}
    assert len(names) >= 25
    assert names == set(EXPECTED)


@pytest.fixture
def conversation(smtp, api, staff_user, customer, billing, settings, deliver):
    """Carla's first e-mail opened a ticket and our acknowledgement went out: the conversation the
    corpus replies to."""
    settings.ATTACHMENT_MAX_BYTES = 32 * 1024
    Mailbox.objects.create(name="Billing", email_address="billing@helpdesk.test", team=billing)
    api.force_authenticate(staff_user)
    answer = deliver(read("01-plain-new"))
    assert answer.status_code == 201, answer.json()
    ticket = Ticket.objects.get(pk=answer.json()["ticket"])
    acknowledgement = smtp.wait_for(1)[0].message
    assert f"[#{ticket.pk}]" in acknowledgement["Subject"]
    TicketCc.objects.create(ticket=ticket, email="bob@acme.test")
    return ticket, acknowledgement["Message-ID"]


def read(name: str, ticket: Ticket | None = None, our_id: str = "") -> bytes:
    raw = (CORPUS / f"{name}.eml").read_bytes()
    if ticket is not None:
        raw = raw.replace(b"{TICKET}", str(ticket.pk).encode()).replace(b"{OUR_ID}", our_id.encode())
    return raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


@pytest.mark.parametrize("name", sorted(set(EXPECTED) - {"01-plain-new"}))
def test_each_corpus_email_is_handled_as_a_person_would_expect(name, conversation, api, smtp, deliver):
    first_ticket, our_id = conversation
    expected = EXPECTED[name]
    raw = read(name, first_ticket, our_id)
    tickets_before = Ticket.objects.count()

    answer = deliver(raw)
    data = answer.json()

    if expected["outcome"] not in ("created", "threaded"):
        assert answer.status_code == 202, data
        assert data == {"ignored": expected["outcome"]}
        assert Ticket.objects.count() == tickets_before
        assert InboundEmail.objects.filter(reason=expected["outcome"]).count() == 1  # kept, for the record
        return

    assert answer.status_code == 201, data
    ticket = Ticket.objects.get(pk=data["ticket"])
    message = Message.objects.get(pk=data["message"])
    assert message.ticket_id == ticket.pk
    assert message.channel == Channel.EMAIL
    if expected["outcome"] == "created":
        assert data["created"] is True
        assert ticket.pk != first_ticket.pk
        assert Ticket.objects.count() == tickets_before + 1
        assert ticket.channel == Channel.EMAIL
    else:
        assert data["created"] is False
        assert ticket.pk == first_ticket.pk
        assert ticket.messages.count() == 2

    assert "\r" not in message.body  # line ends as typed, not as the mail transport carried them
    if "subject" in expected:
        assert ticket.subject == expected["subject"]
    if "body" in expected:
        assert message.body == expected["body"]
    for words in expected.get("has", []):
        assert words in message.body
    for words in expected.get("lacks", []):
        assert words not in message.body
    inbound = InboundEmail.objects.get(message=message)
    assert bytes(inbound.raw) == raw  # the whole original is kept
    for words in expected.get("html_has", []):
        assert words in inbound.html
    for words in expected.get("html_lacks", []):
        assert words not in inbound.html
    if "files" in expected:
        assert sorted(a.name for a in message.attachments.all()) == sorted(expected["files"])
        for attachment in message.attachments.all():
            assert attachment.file.read()  # stored, readable
    for name_, content_id in expected.get("inline", {}).items():
        attachment = message.attachments.get(name=name_)
        assert attachment.is_inline and attachment.content_id == content_id
    if "customer" in expected:
        assert ticket.customer.email == expected["customer"]
        assert hasattr(ticket.customer, "customer")  # a new sender became a customer
    if "customer_name" in expected:
        assert ticket.customer.first_name == expected["customer_name"]
    if "reply_to" in expected:
        assert ticket.metadata[REPLY_TO] == expected["reply_to"]
    if "author" in expected:
        assert message.author.email == expected["author"]
        assert message.author_kind == "customer"
    if "mailbox_team" in expected:
        # routing took the mailbox's team: triage had no confident answer of its own
        assert ticket.metadata[MAILBOX_TEAM] == ticket.team_id
        assert ticket.team.name == expected["mailbox_team"]
    for address in expected.get("ccs", []):
        assert TicketCc.objects.filter(ticket=ticket, email=address).exists()


def test_the_same_email_delivered_twice_makes_one_message(conversation, api, deliver):
    raw = read("28-duplicate-delivery")
    first = deliver(raw).json()
    again = deliver(raw)
    assert again.status_code == 202
    assert again.json() == {"ignored": DUPLICATE, "ticket": first["ticket"], "message": first["message"]}
    assert Message.objects.filter(message_id="<dup-28@acme.test>").count() == 1


def test_a_reply_to_a_reply_threads_by_references_even_without_the_number(conversation, api, smtp, deliver):
    ticket, our_id = conversation
    raw = read("03-gmail-reply", ticket, our_id).replace(f"[#{ticket.pk}] ".encode(), b"")
    answer = deliver(raw).json()
    assert answer["ticket"] == ticket.pk and answer["created"] is False


def test_a_sender_writing_too_often_is_ignored(conversation, api, settings, deliver):
    settings.MAIL_SENDER_LIMIT = 2
    outcomes = []
    for n in range(3):
        raw = read("28-duplicate-delivery").replace(b"<dup-28@", f"<rate-{n}@".encode())
        outcomes.append(deliver(raw).json())
    # carla's first e-mail (the conversation) counts too: the limit is reached at the second one
    assert outcomes[0]["created"] is True
    assert outcomes[1] == outcomes[2] == {"ignored": safety.RATE_LIMITED}


def test_machine_mail_never_gets_an_answer(conversation, api, smtp, deliver):
    before = len(smtp.received)
    for name in ("15-auto-reply", "18-dsn-bounce", "20-mailing-list"):
        deliver(read(name, *conversation))
    assert len(smtp.received) == before


def test_the_webhook_wants_staff_and_a_raw_email(api, customer, staff_user, deliver):
    assert deliver(read("01-plain-new")).status_code == 401
    api.force_authenticate(customer)
    assert deliver(read("01-plain-new")).status_code == 403
    api.force_authenticate(staff_user)
    empty = deliver(b"")
    assert empty.status_code == 400 and "body" in empty.json()
    wrong_type = api.post("/api/inbound/email/", data={"x": 1}, format="json")
    assert wrong_type.status_code == 415
    assert Ticket.objects.count() == 0


def test_a_new_sender_joins_the_organization_owning_their_domain(api, staff_user, deliver):
    from helpdesk.models import Organization, OrganizationDomain

    acme = Organization.objects.create(name="Acme Corporation")
    OrganizationDomain.objects.create(organization=acme, domain="@ACME.test")
    api.force_authenticate(staff_user)
    answer = deliver(read("10-forwarded-inline")).json()
    ticket = Ticket.objects.get(pk=answer["ticket"])
    assert ticket.customer.customer.organization == acme
    assert ticket.organization == acme


def test_an_agent_can_read_the_whole_original(conversation, client, agent, lead):
    ticket, _ = conversation
    message = ticket.messages.get()
    client.force_login(lead.user)
    page = client.get(f"/agent/messages/{message.pk}/email/")
    assert page.status_code == 200
    assert b"Message-ID: &lt;plain-new-01@acme.test&gt;" in page.content
    raw = client.get(f"/agent/messages/{message.pk}/email/?raw=1")
    assert raw["Content-Type"] == "message/rfc822"
    assert b"the export button on the invoices page" in raw.content
    ticket_page = client.get(f"/agent/tickets/{ticket.pk}/")
    assert f"/agent/messages/{message.pk}/email/".encode() in ticket_page.content
    client.force_login(ticket.customer)
    assert client.get(f"/agent/messages/{message.pk}/email/").status_code == 403


def test_stranger_agents_cannot_read_originals_of_tickets_they_cannot_see(
    conversation, client, outsider, billing
):
    ticket, _ = conversation
    Ticket.objects.filter(pk=ticket.pk).update(team=billing)
    client.force_login(outsider.user)
    assert client.get(f"/agent/messages/{ticket.messages.get().pk}/email/").status_code == 404


def test_an_agent_writing_from_their_own_address_is_not_made_a_customer(api, staff_user, agent, deliver):
    api.force_authenticate(staff_user)
    user = UserFactory(username="someone@acme.test", email="someone@acme.test")
    raw = read("01-plain-new").replace(b"carla@acme.test", user.email.encode())
    answer = deliver(raw).json()
    assert Ticket.objects.get(pk=answer["ticket"]).customer == user
