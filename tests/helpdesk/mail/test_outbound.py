"""E-mails to customers, as a real SMTP server (aiosmtpd) receives them: acknowledgement, replies,
notices, the rating link, threading headers, and what happens when the mail server fails."""

from __future__ import annotations

import re

import pytest
from django.core import signing
from django.core.management import call_command

from helpdesk.locale import customer_language
from helpdesk.mail.outbound import outbound_retry_due
from helpdesk.mail.rating import rating_token
from helpdesk.models import (
    Agent,
    AgentStatus,
    Csat,
    Mailbox,
    Message,
    OutboundEmail,
    OutboundState,
    Status,
    Ticket,
    TicketEvent,
)
from helpdesk.services import message_add, ticket_create, ticket_reopen, ticket_resolve, ticket_set_status
from helpdesk.services.calls import phone_call_log
from helpdesk.services.merge import ticket_merge
from tests.helpdesk.mail.conftest import SUPPORT

FIRST = (
    b"From: Carla Customer <carla@acme.test>\r\nTo: support@helpdesk.test\r\n"
    b"Subject: Cannot export my invoices\r\nMessage-ID: <first@acme.test>\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\n\r\nThe export button does nothing.\r\n"
)


@pytest.fixture
def opened(smtp, api, staff_user, customer, agent, lead, billing, deliver):
    """Carla opened a ticket by e-mail to the Billing mailbox, while Ana (Billing) was at work; the
    acknowledgement reached the SMTP server."""
    Mailbox.objects.create(name="Support", email_address=SUPPORT, team=billing)
    Agent.objects.filter(pk=agent.pk).update(status=AgentStatus.AVAILABLE)
    api.force_authenticate(staff_user)
    answer = deliver(FIRST).json()
    return Ticket.objects.get(pk=answer["ticket"])


def customer_mail(smtp, address="carla@acme.test"):
    return [r for r in smtp.received if address in r.recipients]


def test_a_new_ticket_by_email_is_acknowledged_with_its_number(opened, smtp):
    [ack] = customer_mail(smtp)
    message = ack.message
    assert message["Subject"] == f"[#{opened.pk}] Received: Cannot export my invoices"
    assert message["From"] == f"Billing support <{SUPPORT}>"  # the team's name, our address
    assert SUPPORT in message["Reply-To"]
    assert message["In-Reply-To"] == "<first@acme.test>"  # the customer's e-mail client threads it
    assert message["Auto-Submitted"] == "auto-replied"  # their out-of-office must not answer it
    assert f"opened ticket #{opened.pk}" in ack.text()
    assert f"https://help.example.test/portal/tickets/{opened.pk}/" in ack.text()
    assert f"#{opened.pk}" in ack.html()
    outbound = OutboundEmail.objects.get(ticket=opened)
    assert outbound.state == OutboundState.SENT and message["Message-ID"] == outbound.message_id_header


def test_the_agent_notification_of_an_email_ticket_reaches_the_agent(opened, smtp, agent, lead):
    # routing assigned the new ticket to an agent, who is told by e-mail as well as in the app
    opened.refresh_from_db()
    assert opened.assignee is not None
    to_agent = [r for r in smtp.received if opened.assignee.user.email in r.recipients]
    assert to_agent and "[Helpdesk]" in to_agent[0].message["Subject"]
    assert f"https://help.example.test/agent/tickets/{opened.pk}/" in to_agent[0].text()


def test_an_agent_reply_reaches_the_customer_in_the_same_thread(opened, smtp, api, lead, committed):
    api.force_authenticate(lead.user)
    answer = committed(
        lambda: api.post(
            f"/api/tickets/{opened.pk}/messages/", {"body": "Please clear the cache."}, format="json"
        )
    )
    assert answer.status_code == 201
    ack, reply = customer_mail(smtp)
    message = reply.message
    assert message["Subject"] == f"Re: [#{opened.pk}] Cannot export my invoices"
    assert "Please clear the cache." in reply.text() and "Please clear the cache." in reply.html()
    assert message["In-Reply-To"] == ack.message["Message-ID"]
    assert message["References"].split() == ["<first@acme.test>", ack.message["Message-ID"]]
    assert "Auto-Submitted" not in message  # a person wrote it
    stored = Message.objects.get(pk=answer.json()["id"])
    assert stored.message_id == message["Message-ID"]  # so the customer's answer threads back


def test_a_reply_shows_its_message_id_at_once_and_the_email_carries_that_id(
    opened, smtp, api, lead, django_capture_on_commit_callbacks
):
    api.force_authenticate(lead.user)
    with django_capture_on_commit_callbacks(execute=False) as waiting:  # the worker has not run yet
        answer = api.post(f"/api/tickets/{opened.pk}/messages/", {"body": "On its way."}, format="json")
    message_id = answer.json()["message_id"]
    assert re.fullmatch(r"<helpdesk\.\d+\.[0-9a-f]{32}@helpdesk\.test>", message_id)  # our domain
    assert len(customer_mail(smtp)) == 1  # only the acknowledgement so far
    listed = api.get(f"/api/tickets/{opened.pk}/messages/").json()
    assert [m["message_id"] for m in listed if m["id"] == answer.json()["id"]] == [message_id]
    for callback in waiting:  # now the worker sends it
        callback()
    ack, reply = customer_mail(smtp)
    assert reply.message["Message-ID"] == message_id
    assert reply.message["In-Reply-To"] == ack.message["Message-ID"]
    assert OutboundEmail.objects.get(message_id=answer.json()["id"]).message_id_header == message_id
    # the customer's mail client answers that ID: it threads back to the ticket
    assert Message.objects.get(message_id=message_id).ticket_id == opened.pk


def test_an_internal_note_has_no_message_id_and_an_inbound_email_keeps_the_senders(opened, lead, committed):
    note = committed(lambda: message_add(ticket=opened, author=lead.user, body="Cache bug.", internal=True))
    assert note.message_id == ""
    assert Message.objects.filter(ticket=opened).first().message_id == "<first@acme.test>"


def test_the_customer_answer_to_a_reply_threads_into_the_ticket(
    opened, smtp, api, lead, staff_user, deliver, committed
):
    api.force_authenticate(lead.user)
    committed(
        lambda: api.post(f"/api/tickets/{opened.pk}/messages/", {"body": "Try again now."}, format="json")
    )
    reply = customer_mail(smtp)[-1].message
    answer = (
        "From: Carla Customer <carla@acme.test>\r\nTo: support@helpdesk.test\r\n"
        f"Subject: Re: {reply['Subject']}\r\nMessage-ID: <answer@acme.test>\r\n"
        f"In-Reply-To: {reply['Message-ID']}\r\nReferences: {reply['References']} {reply['Message-ID']}\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\nWorks now, thanks!\r\n\r\n"
        "On Thu, Dec 3, 2026 at 10:30 AM Support <support@helpdesk.test> wrote:\r\n> Try again now.\r\n"
    ).encode()
    api.force_authenticate(staff_user)
    result = deliver(answer).json()
    assert result["ticket"] == opened.pk and result["created"] is False
    assert Message.objects.get(pk=result["message"]).body == "Works now, thanks!"


def test_internal_notes_and_phone_calls_are_not_emailed(opened, smtp, lead, committed):
    before = len(customer_mail(smtp))
    committed(
        lambda: message_add(ticket=opened, author=lead.user, body="Looks like a cache bug.", internal=True)
    )
    call = committed(lambda: phone_call_log(ticket=opened, agent=lead.user, summary="Walked her through it."))
    assert len(customer_mail(smtp)) == before
    assert call.channel == "phone" and not call.is_internal


def _rating_links(resolved) -> dict[int, str]:
    links = re.findall(r"https://help\.example\.test(/portal/rate/[^\s?]+/\?score=(\d))", resolved.text())
    return {int(score): path for path, score in links}


def _rated_section(page) -> str:
    """The thanks part of the portal's rated page (the same for a link and for a signed-in customer)."""
    html = page.content.decode()
    return html[html.index('<section class="card confirmation" id="rated">') :].split("</section>")[0]


def test_pending_and_resolved_notices_and_the_rating_link(opened, smtp, lead, client, committed):
    committed(lambda: ticket_set_status(ticket=opened, status=Status.PENDING, actor=lead.user))
    pending = customer_mail(smtp)[-1]
    assert "waiting for your answer" in pending.text()
    committed(lambda: ticket_resolve(ticket=opened, actor=lead.user))
    resolved = customer_mail(smtp)[-1]
    assert resolved.message["Subject"] == f"[#{opened.pk}] Resolved: Cannot export my invoices"
    links = _rating_links(resolved)
    assert sorted(links) == [1, 2, 3, 4, 5]
    assert "Satisfied: https://help.example.test/portal/rate/" in resolved.text()  # the scale in words
    assert ">Very dissatisfied</a>" in resolved.html()

    page = client.get(links[4])  # one click, no password: the portal's thanks page
    assert page.status_code == 200
    assert "portal/rated.html" in [t.name for t in page.templates]
    assert "Thank you for your rating" in _rated_section(page) and "Satisfied" in _rated_section(page)
    assert "What went wrong" not in _rated_section(page)  # asked only after a low score
    assert Csat.objects.get(ticket=opened).score == 4
    again = client.get(links[1])  # usable once
    assert b"already rated" in again.content and Csat.objects.get(ticket=opened).score == 4
    comment = client.post(links[4].split("?")[0], {"score": "4", "comment": "Quick and friendly."})
    assert comment.status_code == 302 and comment["Location"] == links[4].split("?")[0]
    assert Csat.objects.get(ticket=opened).comment == "Quick and friendly."
    assert TicketEvent.objects.filter(ticket=opened, code="csat.rated", to_value="4").exists()

    client.force_login(opened.customer)  # the same page as the portal's own rating lands on
    portal = client.get(f"/portal/tickets/{opened.pk}/rated/")
    client.logout()
    assert _rated_section(portal) == _rated_section(client.get(links[4].split("?")[0]))


def test_a_low_score_from_the_email_asks_what_went_wrong_on_the_portal_page(
    opened, smtp, lead, client, committed
):
    committed(lambda: ticket_resolve(ticket=opened, actor=lead.user))
    link = _rating_links(customer_mail(smtp)[-1])[1]
    page = client.get(link)
    assert "portal/rated.html" in [t.name for t in page.templates]
    assert "What went wrong?" in _rated_section(page)  # the follow-up question
    assert 'id="id_what_went_wrong"' in page.content.decode()
    answer = client.post(link.split("?")[0], {"score": "1", "what_went_wrong": "Nobody answered for a week."})
    assert answer.status_code == 302
    csat = Csat.objects.get(ticket=opened)
    assert csat.score == 1 and csat.what_went_wrong == "Nobody answered for a week."


def test_a_rating_link_of_a_ticket_reopened_since_records_nothing(opened, smtp, lead, client, committed):
    committed(lambda: ticket_resolve(ticket=opened, actor=lead.user))
    link = _rating_links(customer_mail(smtp)[-1])[5]
    committed(lambda: ticket_reopen(ticket=opened, actor=lead.user, reason="Not fixed after all."))
    page = client.get(link)
    assert page.status_code == 400 and b"Open ticket #" in page.content
    assert not Csat.objects.exists()


def test_a_tampered_or_expired_rating_link_records_nothing(opened, client, settings):
    Ticket.objects.filter(pk=opened.pk).update(status=Status.RESOLVED)
    token = rating_token(opened)
    assert client.get(f"/portal/rate/{token}x/?score=5").status_code == 404
    settings.CSAT_LINK_DAYS = -1  # every link is older than that
    assert client.get(f"/portal/rate/{token}/?score=5").status_code == 410
    assert not Csat.objects.exists()
    with pytest.raises(signing.BadSignature):
        signing.loads(token + "x", salt="helpdesk.mail.rating")


def test_a_team_can_switch_acknowledgements_off(smtp, api, staff_user, customer, billing, agent, deliver):
    billing.acknowledge_new_tickets = False
    billing.email = "billing@helpdesk.test"
    billing.save()
    api.force_authenticate(staff_user)
    Mailbox.objects.create(name="Billing", email_address="billing@helpdesk.test", team=billing)
    deliver(FIRST.replace(b"To: support@", b"To: billing@"))
    ticket = Ticket.objects.get()
    assert ticket.team == billing  # the mailbox's hint, as triage had nothing better
    assert customer_mail(smtp) == []


def test_replies_come_from_the_team_address(smtp, api, staff_user, customer, billing, agent, deliver):
    billing.email = "billing@helpdesk.test"
    billing.save()
    Mailbox.objects.create(name="Billing", email_address="billing@helpdesk.test", team=billing)
    api.force_authenticate(staff_user)
    deliver(FIRST.replace(b"To: support@", b"To: billing@"))
    [ack] = customer_mail(smtp)
    assert ack.sender == "billing@helpdesk.test"
    assert (
        "billing@helpdesk.test" in ack.message["From"] and "billing@helpdesk.test" in ack.message["Reply-To"]
    )


def test_a_failed_send_is_kept_retried_and_shown_on_the_ticket(
    opened, smtp, lead, settings, client, committed
):
    smtp.refuse = True
    settings.MAIL_SEND_ATTEMPTS = 2
    committed(lambda: message_add(ticket=opened, author=lead.user, body="Here is the fix."))
    outbound = OutboundEmail.objects.get(ticket=opened, kind="reply")
    assert outbound.state == OutboundState.FAILED and outbound.attempts == 1 and "451" in outbound.last_error
    client.force_login(lead.user)
    page = client.get(f"/agent/tickets/{opened.pk}/")
    assert b"Failed (will retry)" in page.content

    OutboundEmail.objects.filter(pk=outbound.pk).update(next_attempt_at=outbound.created_at)
    assert outbound_retry_due() == 1  # the schedule's second try fails too: we give up, visibly
    outbound.refresh_from_db()
    assert outbound.state == OutboundState.GAVE_UP
    assert TicketEvent.objects.filter(ticket=opened, code="mail.failed").exists()

    smtp.refuse = False
    OutboundEmail.objects.filter(pk=outbound.pk).update(
        state=OutboundState.FAILED, next_attempt_at=outbound.created_at
    )
    call_command("sweep_sla", "--dry-run")  # unrelated sweep leaves the e-mail alone
    assert outbound_retry_due() == 1
    outbound.refresh_from_db()
    assert outbound.state == OutboundState.SENT
    assert "Here is the fix." in customer_mail(smtp)[-1].text()


def test_the_reply_to_address_gets_the_answers(smtp, api, staff_user, agent, deliver):
    api.force_authenticate(staff_user)
    raw = FIRST.replace(
        b"From: Carla Customer <carla@acme.test>",
        b"From: Web form <forms@acme.test>\r\nReply-To: peter@acme.test",
    )
    deliver(raw)
    assert customer_mail(smtp, "peter@acme.test") and not customer_mail(smtp, "forms@acme.test")


def test_people_copied_on_the_email_hear_back_too(smtp, api, staff_user, customer, agent, deliver):
    api.force_authenticate(staff_user)
    deliver(FIRST.replace(b"To: support@helpdesk.test", b"To: support@helpdesk.test\r\nCc: bob@acme.test"))
    [ack] = customer_mail(smtp)
    assert "bob@acme.test" in ack.recipients and ack.message["Cc"] == "bob@acme.test"


def test_a_support_address_nobody_configured_is_never_copied(smtp, api, staff_user, customer, agent, deliver):
    """Mail forwarded to the webhook from an address that is neither a mailbox nor on our domain."""
    api.force_authenticate(staff_user)
    deliver(
        FIRST.replace(b"To: support@helpdesk.test", b"To: help@acme-support.example\r\nCc: bob@acme.test")
    )
    [ack] = customer_mail(smtp)
    assert ack.message["Cc"] == "bob@acme.test"
    assert "help@acme-support.example" not in ack.recipients


def test_a_colleague_next_to_our_address_on_the_to_line_is_copied(
    smtp, api, staff_user, customer, agent, deliver
):
    api.force_authenticate(staff_user)
    deliver(FIRST.replace(b"To: support@helpdesk.test", b"To: support@helpdesk.test, dora@acme.test"))
    [ack] = customer_mail(smtp)
    assert ack.message["Cc"] == "dora@acme.test"


def test_the_via_label_shows_each_messages_own_channel(opened, client, lead, committed):
    client.force_login(lead.user)
    committed(
        lambda: client.post(
            f"/agent/tickets/{opened.pk}/action/", {"action": "note", "body": "Checked the logs."}
        )
    )
    committed(
        lambda: client.post(
            f"/agent/tickets/{opened.pk}/action/",
            {"action": "call", "direction": "outbound", "summary": "Called her back."},
        )
    )
    note = Message.objects.get(ticket=opened, is_internal=True)
    assert note.channel == "web"
    page = client.get(f"/agent/tickets/{opened.pk}/").content.decode()
    assert "via E-mail" in page and "via Phone" in page and "via Agent workspace" in page
    assert "via Portal" not in page
    committed(
        lambda: client.post(f"/agent/tickets/{opened.pk}/action/", {"action": "reply", "body": "Fixed."})
    )
    client.force_login(opened.customer)
    portal = client.get(f"/portal/tickets/{opened.pk}/").content.decode()
    assert "via E-mail" in portal and "via Phone" in portal and "Fixed." in portal
    assert "Agent workspace" not in portal and "Checked the logs." not in portal
    assert Message.objects.get(channel="phone").body == "Call to the customer:\nCalled her back."


def test_a_phone_call_without_a_summary_is_refused_on_the_form(opened, client, lead):
    client.force_login(lead.user)
    page = client.post(
        f"/agent/tickets/{opened.pk}/action/", {"action": "call", "direction": "inbound", "summary": ""}
    )
    assert page.status_code == 400
    assert not Message.objects.filter(channel="phone").exists()


@pytest.fixture
def with_ccs(smtp, api, staff_user, customer, agent, billing, deliver):
    """Carla opened a ticket by e-mail with Bob and Dora (her colleagues) on Cc."""
    Mailbox.objects.create(name="Support", email_address=SUPPORT, team=billing)
    api.force_authenticate(staff_user)
    raw = FIRST.replace(
        b"To: support@helpdesk.test",
        b"To: support@helpdesk.test\r\nCc: Bob Builder <bob@acme.test>, dora@acme.test",
    )
    return Ticket.objects.get(pk=deliver(raw).json()["ticket"])


def _answer_from_bob(ack, *, cc: str = "") -> bytes:
    return (
        "From: Bob Builder <bob@acme.test>\r\nTo: support@helpdesk.test\r\n"
        + (f"Cc: {cc}\r\n" if cc else "")
        + f"Subject: Re: {ack['Subject']}\r\nMessage-ID: <bob-1@acme.test>\r\n"
        f"In-Reply-To: {ack['Message-ID']}\r\nReferences: {ack['Message-ID']}\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\nIt happens to me too, since Monday.\r\n"
    ).encode()


def test_a_cc_answering_by_email_is_recorded_as_themselves_and_the_others_hear_it(
    with_ccs, smtp, api, lead, client, deliver
):
    [ack] = customer_mail(smtp)
    result = deliver(_answer_from_bob(ack.message)).json()
    assert result["ticket"] == with_ccs.pk and result["created"] is False
    message = Message.objects.select_related("author__customer").get(pk=result["message"])
    bob = message.author
    assert (bob.email, bob.get_full_name(), message.author_kind) == (
        "bob@acme.test",
        "Bob Builder",
        "customer",
    )
    assert bob.customer.organization_id == with_ccs.organization_id  # Carla's colleague, not a new company
    event = TicketEvent.objects.get(ticket=with_ccs, code="message.customer")
    assert event.actor == bob and event.label == "Reply from someone copied on the ticket"

    # Carla and Dora hear what Bob wrote, under his name; Bob does not get his own words back
    [to_carla] = customer_mail(smtp)[1:]
    assert sorted(to_carla.recipients) == ["carla@acme.test", "dora@acme.test"]
    assert to_carla.message["Subject"] == f"Re: [#{with_ccs.pk}] Cannot export my invoices"
    assert f"Bob Builder wrote on ticket #{with_ccs.pk}:" in to_carla.text()
    assert "It happens to me too, since Monday." in to_carla.html()
    assert to_carla.message["In-Reply-To"] == "<bob-1@acme.test>"  # threads under Bob's e-mail
    assert to_carla.message["Message-ID"] != "<bob-1@acme.test>"  # ours, not Bob's
    assert not customer_mail(smtp, "bob@acme.test")[1:]

    client.force_login(lead.user)  # agents see Bob, not "the customer"
    page = client.get(f"/agent/tickets/{with_ccs.pk}/").content.decode()
    assert "<strong>Bob Builder</strong>" in page
    api.force_authenticate(lead.user)
    listed = api.get(f"/api/tickets/{with_ccs.pk}/messages/").json()
    assert [m["author"] for m in listed if m["id"] == message.pk] == ["bob@acme.test"]
    client.force_login(with_ccs.customer)  # and so does Carla in the portal
    assert "<strong>Bob Builder</strong>" in client.get(f"/portal/tickets/{with_ccs.pk}/").content.decode()


def test_a_cc_answering_all_is_not_sent_again_to_those_who_had_it(with_ccs, smtp, deliver):
    [ack] = customer_mail(smtp)
    deliver(_answer_from_bob(ack.message, cc="Carla Customer <carla@acme.test>"))
    [passed_on] = smtp.received[-1:]
    assert passed_on.recipients == ["dora@acme.test"]  # Carla had Bob's e-mail already


def test_the_customers_own_answer_is_not_mailed_back_to_anyone(with_ccs, smtp, deliver):
    [ack] = customer_mail(smtp)
    before = len(smtp.received)
    deliver(_answer_from_bob(ack.message).replace(b"Bob Builder <bob@acme.test>", b"Carla <carla@acme.test>"))
    assert len(smtp.received) == before
    assert not OutboundEmail.objects.filter(ticket=with_ccs, kind="copied").exists()


def test_a_german_customer_gets_acknowledgement_and_reply_in_german(
    smtp, api, staff_user, customer, agent, lead, billing, deliver, committed
):
    customer.customer.language = "de"
    customer.customer.save(update_fields=["language"])
    Mailbox.objects.create(name="Support", email_address=SUPPORT, team=billing)
    api.force_authenticate(staff_user)
    ticket = Ticket.objects.get(pk=deliver(FIRST).json()["ticket"])
    [ack] = customer_mail(smtp)
    assert ack.message["Subject"] == f"[#{ticket.pk}] Eingegangen: Cannot export my invoices"
    assert f"wir haben Ihre Anfrage erhalten und das Ticket #{ticket.pk} eröffnet" in ack.text()
    assert "Ihr Ticket online" in ack.text() and "Ihr Ticket online" in ack.html()
    assert "we received" not in ack.text() + ack.html()
    assert ack.message["From"] == f"Billing Support <{SUPPORT}>"

    api.force_authenticate(lead.user)
    committed(
        lambda: api.post(
            f"/api/tickets/{ticket.pk}/messages/", {"body": "Bitte Cache leeren."}, format="json"
        )
    )
    reply = customer_mail(smtp)[-1]
    assert reply.message["Subject"] == f"AW: [#{ticket.pk}] Cannot export my invoices"
    assert "Bitte Cache leeren." in reply.text() and "Billing Support" in reply.text()
    assert "Ihr Ticket online:" in reply.text()

    committed(lambda: ticket_resolve(ticket=ticket, actor=lead.user))
    resolved = customer_mail(smtp)[-1]
    assert resolved.message["Subject"] == f"[#{ticket.pk}] Gelöst: Cannot export my invoices"
    assert "Sehr zufrieden: https://help.example.test/portal/rate/" in resolved.text()


def test_a_profile_left_at_the_default_language_follows_the_tickets_language(db, customer):

    ticket = Ticket(customer=customer, language="de")
    assert customer_language(customer, ticket) == "de"
    assert customer_language(customer, Ticket(customer=customer, language="fi")) == "en"  # we do not speak it
    customer.customer.language = "de"
    assert customer_language(customer, Ticket(customer=customer, language="en")) == "de"  # they chose it
    assert customer_language(customer) == "de"  # no ticket: an invitation, a password reset


def test_the_merge_notice_is_emailed_in_the_customers_language(opened, smtp, lead, committed):
    profile = opened.customer.customer
    profile.language = "de"
    profile.save(update_fields=["language"])
    second = committed(
        lambda: ticket_create(customer=opened.customer, subject="Export still broken", body="Same as before.")
    )
    committed(lambda: ticket_merge(source=second, target=opened, actor=lead.user))
    notice = customer_mail(smtp)[-1]
    assert notice.message["Subject"] == f"AW: [#{opened.pk}] Cannot export my invoices"
    assert f"Ihre Anfrage #{second.pk} (Export still broken)" in notice.text()
    assert notice.message["Auto-Submitted"] == "auto-generated"
    stored = Message.objects.get(ticket=opened, author_kind="system")
    assert notice.message["Message-ID"] == stored.message_id  # given when it was written
