"""The other two ways in — IMAP polling of a real IMAP server (pymap) and the MTA pipe — take the same
path as the webhook; and the admin never shows a mailbox's password back."""

from __future__ import annotations

import io
import json
import sys

import pytest
from django.core.management import call_command
from django_q.models import Schedule

from helpdesk.models import InboundEmail, Mailbox, Message, Ticket
from tests.helpdesk.mail.conftest import SUPPORT
from tests.helpdesk.mail.test_corpus import read


@pytest.fixture
def mailbox(imap_server, billing):
    # The IMAP server lives for the whole session: start each test from an empty INBOX.
    client = imap_server.client()
    client.select("INBOX")
    typ, data = client.uid("SEARCH", None, "ALL")
    for uid in (data[0] or b"").split():
        client.uid("STORE", uid, "+FLAGS", "(\\Deleted)")
    client.expunge()
    client.logout()
    return Mailbox.objects.create(
        name="Support",
        email_address=SUPPORT,
        team=billing,
        imap_host=imap_server.host,
        imap_port=imap_server.port,
        imap_ssl=False,
        imap_username=imap_server.username,
        imap_password=imap_server.password,
    )


def test_fetch_mail_once_reads_every_unseen_email_into_tickets(
    mailbox, imap_server, smtp, committed, customer, agent
):
    imap_server.deliver(
        read("01-plain-new"), read("05-iso-8859-1"), read("20-mailing-list"), read("08-multipart-attachments")
    )
    assert imap_server.unseen() == 4
    out = io.StringIO()
    committed(lambda: call_command("fetch_mail", "--once", stdout=out))

    assert "Support: 4 read, 3 new tickets, 0 replies, 1 ignored, 0 failed" in out.getvalue()
    assert imap_server.unseen() == 0  # marked seen: the next pass does not read them again
    assert sorted(Ticket.objects.values_list("subject", flat=True)) == [
        "Cannot export my invoices",
        "Error log attached",
        "Rechnung für März fehlt",
    ]
    assert set(InboundEmail.objects.values_list("via", flat=True)) == {"imap"}
    assert all(t.metadata.get("mailbox_team") == mailbox.team_id for t in Ticket.objects.all())
    # every new ticket was acknowledged through the real SMTP server
    assert len([r for r in smtp.received if "Auto-Submitted" in r.message]) == 3

    again = io.StringIO()
    call_command("fetch_mail", "--once", stdout=again)
    assert "0 read" in again.getvalue() and Ticket.objects.count() == 3
    mailbox.refresh_from_db()
    assert mailbox.last_polled_at is not None and mailbox.last_error == ""


def test_an_email_read_twice_from_imap_makes_one_message(mailbox, imap_server, committed):
    imap_server.deliver(read("28-duplicate-delivery"), read("28-duplicate-delivery"))
    committed(lambda: call_command("fetch_mail", "--once", stdout=io.StringIO()))
    assert Message.objects.filter(message_id="<dup-28@acme.test>").count() == 1
    assert InboundEmail.objects.filter(reason="duplicate").count() == 1


def test_a_wrong_password_is_shown_on_the_mailbox_and_reads_nothing(mailbox, imap_server):
    Mailbox.objects.filter(pk=mailbox.pk).update(imap_password="wrong")
    imap_server.deliver(read("01-plain-new"))
    out = io.StringIO()
    call_command("fetch_mail", "--once", stdout=out)
    mailbox.refresh_from_db()
    assert "0 read" in out.getvalue() and mailbox.last_error
    assert imap_server.unseen() == 1 and not Ticket.objects.exists()


def test_the_worker_schedule_reads_the_mailboxes_every_minute(db):
    schedule = Schedule.objects.get(func="helpdesk.mail.tasks.mail_schedule")
    assert schedule.schedule_type == Schedule.MINUTES and schedule.minutes == 1 and schedule.repeats == -1


def test_receive_email_reads_one_email_from_standard_input(monkeypatch, committed, customer):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(read("01-plain-new"))))
    out = io.StringIO()
    committed(lambda: call_command("receive_email", stdout=out))
    answer = json.loads(out.getvalue())
    ticket = Ticket.objects.get(pk=answer["ticket"])
    assert answer == {"ticket": ticket.pk, "message": ticket.messages.get().pk, "created": True}
    assert InboundEmail.objects.get().via == "pipe"

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(read("18-dsn-bounce"))))
    out = io.StringIO()
    call_command("receive_email", stdout=out)
    assert json.loads(out.getvalue()) == {"ignored": "bounce"}


def test_the_admin_never_shows_a_mailbox_password_back(admin_client, mailbox):
    page = admin_client.get(f"/admin/helpdesk/mailbox/{mailbox.pk}/change/")
    assert page.status_code == 200
    assert mailbox.imap_password.encode() not in page.content
    data = {
        "name": "Support desk",
        "email_address": SUPPORT,
        "team": mailbox.team_id,
        "is_active": "on",
        "imap_host": mailbox.imap_host,
        "imap_port": mailbox.imap_port,
        "imap_username": mailbox.imap_username,
        "imap_password": "",  # left empty: the password stays
        "imap_folder": "INBOX",
    }
    saved = admin_client.post(f"/admin/helpdesk/mailbox/{mailbox.pk}/change/", data)
    assert saved.status_code == 302
    mailbox.refresh_from_db()
    assert mailbox.name == "Support desk" and mailbox.imap_password == "s3cret-imap"
