"""A line break typed into a subject neither survives intake nor loses the e-mails that quote it."""

from __future__ import annotations

import pytest
from django.core import mail

from helpdesk.models import Ticket
from helpdesk.notifications import notify
from tests.factories import TicketFactory

pytestmark = pytest.mark.django_db


def test_line_breaks_in_a_new_subject_become_spaces(api, customer):
    api.force_authenticate(customer)
    response = api.post(
        "/api/tickets/", {"subject": "Refund\r\nBcc: everyone@example.com", "body": "b"}, format="json"
    )
    assert response.status_code == 201
    assert Ticket.objects.get().subject == "Refund Bcc: everyone@example.com"


def test_the_portal_form_keeps_subjects_on_one_line(customer_client):
    customer_client.post("/portal/tickets/new/", {"subject": "Line one\nline\u2028two", "body": "b"})
    assert Ticket.objects.get().subject == "Line one line two"


def test_a_notification_quoting_a_subject_with_a_line_break_is_still_mailed(
    agent, django_capture_on_commit_callbacks
):
    # Tickets stored before intake kept subjects on one line can still hold a break.
    ticket = TicketFactory(subject="Invoice\r\nX-Injected: yes")
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[agent.user], kind="assignment", title=f"is yours: {ticket.subject}", ticket=ticket)
    assert [m.subject for m in mail.outbox] == ["[Helpdesk] is yours: Invoice X-Injected: yes"]
    assert mail.outbox[0].message()["X-Injected"] is None
