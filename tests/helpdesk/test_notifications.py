"""Notifications: in-app plus e-mail after commit, per-agent e-mail opt-out, and the agent's list with
mark-one / mark-all read."""

from __future__ import annotations

import pytest
from django.core import mail

from helpdesk.models import Notification
from helpdesk.notifications import notify
from helpdesk.unit_of_work import unit_of_work
from tests.factories import TicketFactory

pytestmark = pytest.mark.django_db


def send(recipients, committed_callbacks, **kwargs):
    with committed_callbacks(execute=True):
        return notify(
            recipients=recipients, kind=kwargs.pop("kind", "sla.warning"), title="Due soon", **kwargs
        )


def test_a_notification_written_when_a_units_gathered_writes_are_written_is_still_emailed(
    agent, lead, django_capture_on_commit_callbacks
):
    # The notification rows (and what announces them) are written when the unit ends, after notify()
    # has returned: the e-mails must still go out after commit, in one task.
    with django_capture_on_commit_callbacks(execute=True), unit_of_work(gather_writes=True):
        notify(recipients=[agent.user], kind="assignment", title="Yours now")
        notify(recipients=[lead.user], kind="assignment", title="FYI")
        assert mail.outbox == []
    assert sorted(m.to[0] for m in mail.outbox) == sorted([agent.user.email, lead.user.email])


def test_agents_get_an_in_app_notification_and_an_email_after_commit(
    agent, lead, django_capture_on_commit_callbacks
):
    ticket = TicketFactory()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify(
            recipients=[agent.user, lead.user],
            kind="sla.breached",
            title="Breached",
            body="Why",
            ticket=ticket,
        )
    assert mail.outbox == []  # nothing leaves before the change commits
    assert Notification.objects.filter(kind="sla.breached").count() == 2
    for callback in callbacks:
        callback()
    assert sorted(m.to[0] for m in mail.outbox) == sorted([agent.user.email, lead.user.email])
    message = mail.outbox[0]
    assert message.subject == "[Helpdesk] Breached"
    assert f"/agent/tickets/{ticket.pk}/" in message.body and "Why" in message.body


def test_an_agent_who_opted_out_gets_no_email_but_still_the_in_app_notification(
    agent, lead, django_capture_on_commit_callbacks
):
    agent.email_notifications = False
    agent.save()
    send([agent.user, lead.user], django_capture_on_commit_callbacks)
    assert [m.to for m in mail.outbox] == [[lead.user.email]]
    assert Notification.objects.filter(recipient=agent.user).exists()


def test_recipients_without_an_address_get_no_email(agent, django_capture_on_commit_callbacks):
    agent.user.email = ""
    agent.user.save()
    send([agent.user], django_capture_on_commit_callbacks)
    assert mail.outbox == []


def test_the_list_shows_unread_first_filter_and_marks_one_read(agent_client, agent, lead):
    mine = Notification.objects.create(recipient=agent.user, kind="sla.warning", title="Mine")
    done = Notification.objects.create(recipient=agent.user, kind="assignment", title="Old news")
    Notification.objects.filter(pk=done.pk).update(read_at=done.created_at)
    Notification.objects.create(recipient=lead.user, kind="sla.breached", title="Not yours")

    page = agent_client.get("/agent/notifications/").content.decode()
    assert "Mine" in page and "Old news" in page and "Not yours" not in page
    unread = agent_client.get("/agent/notifications/?show=unread").content.decode()
    assert "Mine" in unread and "Old news" not in unread

    response = agent_client.post(f"/agent/notifications/{mine.pk}/read/")
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.is_read


def test_each_notification_says_what_kind_it_is_in_words(agent_client, agent):
    for kind in ("sla.abandoned", "account.at_risk", "coverage", "some.new_kind"):
        Notification.objects.create(recipient=agent.user, kind=kind, title=f"About {kind}")
    page = agent_client.get("/agent/notifications/").content.decode()
    for label in ("Abandoned", "Account at risk", "No eligible agent", "Some new kind"):
        assert f'<span class="badge kind">{label}</span>' in page
    assert ">sla.abandoned<" not in page


def test_marking_read_with_htmx_swaps_the_item_and_updates_the_bell(agent_client, agent):
    first = Notification.objects.create(recipient=agent.user, kind="sla.warning", title="First")
    Notification.objects.create(recipient=agent.user, kind="sla.warning", title="Second")
    response = agent_client.post(f"/agent/notifications/{first.pk}/read/", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert f'id="notification-{first.pk}"' in html and "Read " in html
    assert 'hx-swap-oob="true"' in html and 'id="unread-count">1<' in html


def test_opening_the_ticket_from_a_notification_marks_it_read(agent_client, agent, billing):
    ticket = TicketFactory(team=billing)
    note = Notification.objects.create(recipient=agent.user, kind="sla.warning", title="x", ticket=ticket)
    response = agent_client.post(f"/agent/notifications/{note.pk}/read/", {"open": "1"})
    assert response.status_code == 302 and response["Location"] == f"/agent/tickets/{ticket.pk}/"
    note.refresh_from_db()
    assert note.is_read


def test_nobody_can_mark_someone_elses_notification(agent_client, lead):
    theirs = Notification.objects.create(recipient=lead.user, kind="sla.breached", title="Theirs")
    assert agent_client.post(f"/agent/notifications/{theirs.pk}/read/").status_code == 404
    theirs.refresh_from_db()
    assert not theirs.is_read


def test_mark_all_read(agent_client, agent):
    for title in ("a", "b"):
        Notification.objects.create(recipient=agent.user, kind="sla.warning", title=title)
    agent_client.post("/agent/notifications/read/")
    assert not Notification.objects.filter(recipient=agent.user, read_at__isnull=True).exists()


def test_an_agent_switches_email_off_and_on(agent_client, agent):
    agent_client.post("/agent/notifications/email/", {})
    agent.refresh_from_db()
    assert agent.email_notifications is False
    agent_client.post("/agent/notifications/email/", {"email": "on"})
    agent.refresh_from_db()
    assert agent.email_notifications is True


def test_reading_needs_a_post(agent_client, agent):
    note = Notification.objects.create(recipient=agent.user, kind="sla.warning", title="x")
    assert agent_client.get(f"/agent/notifications/{note.pk}/read/").status_code == 405
