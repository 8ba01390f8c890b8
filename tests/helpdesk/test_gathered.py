"""Gathered inserts (helpdesk.gathered): many rows of one transaction written as one bulk insert per
table, with what needs their ids run right after."""

from __future__ import annotations

import contextvars

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from helpdesk.events import event_record
from helpdesk.gathered import gathered_writes, insert, update
from helpdesk.models import LiveEvent, Notification, Ticket, TicketEvent
from helpdesk.notifications import notify
from helpdesk.signals import ticket_event_recorded
from tests.factories import TicketFactory

pytestmark = pytest.mark.django_db

MOOD: contextvars.ContextVar[str] = contextvars.ContextVar("mood", default="calm")


def test_outside_a_block_each_insert_is_written_at_once(billing):
    ticket = TicketFactory(team=billing)
    seen = []
    event = TicketEvent(ticket=ticket, code="note.test")
    insert(event, then=lambda: seen.append(event.pk))
    assert event.pk is not None and seen == [event.pk]


def test_inside_a_block_rows_wait_for_its_end_and_name_each_others_ids(billing, agent):
    tickets = [TicketFactory(team=billing) for _ in range(3)]
    before = TicketEvent.objects.count(), LiveEvent.objects.count(), Notification.objects.count()
    with transaction.atomic(), gathered_writes():
        for ticket in tickets:
            event_record(ticket=ticket, code="sla.warning", reason="due soon")
            notify(recipients=[agent.user], kind="sla.warning", title=f"#{ticket.pk}", ticket=ticket)
        assert (
            TicketEvent.objects.count(),
            LiveEvent.objects.count(),
            Notification.objects.count(),
        ) == before
    events = TicketEvent.objects.filter(code="sla.warning")
    assert events.count() == 3
    lives = list(LiveEvent.objects.filter(kind="sla.warning"))
    # Each live row names the id its event got in the bulk insert.
    assert sorted(live.payload["event_id"] for live in lives) == sorted(events.values_list("pk", flat=True))
    notes = list(LiveEvent.objects.filter(kind="notification"))
    assert sorted(n.payload["notification_id"] for n in notes) == sorted(
        Notification.objects.filter(kind="sla.warning").values_list("pk", flat=True)
    )


def test_the_flush_is_a_bulk_insert_per_table(billing, agent):
    tickets = [TicketFactory(team=billing) for _ in range(5)]
    with transaction.atomic(), CaptureQueriesContext(connection) as queries, gathered_writes():
        for ticket in tickets:
            event_record(ticket=ticket, code="sla.warning", reason="due soon")
            notify(recipients=[agent.user], kind="sla.warning", title="x", ticket=ticket)
    inserts = [q["sql"].split()[2] for q in queries.captured_queries if q["sql"].startswith("INSERT")]
    # ticket events; notifications; the live rows of both (PostgreSQL without Redis adds its NOTIFYs)
    assert inserts == ['"helpdesk_ticketevent"', '"helpdesk_notification"', '"helpdesk_liveevent"']


def test_follow_ups_run_in_the_context_of_the_insert_and_announce_each_event(billing):
    ticket = TicketFactory(team=billing)
    heard = []

    def listener(sender, event, **kwargs):
        heard.append((event.code, event.pk is not None, MOOD.get()))

    ticket_event_recorded.connect(listener)
    try:
        with transaction.atomic(), gathered_writes():
            token = MOOD.set("sweeping")
            event_record(ticket=ticket, code="sla.warning", reason="due soon")
            MOOD.reset(token)
            assert heard == []  # announced once it has its id
    finally:
        ticket_event_recorded.disconnect(listener)
    assert heard == [("sla.warning", True, "sweeping")]


def test_a_block_that_fails_writes_nothing(billing):
    ticket = TicketFactory(team=billing)
    before = TicketEvent.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic(), gathered_writes():
        event_record(ticket=ticket, code="sla.warning", reason="due soon")
        raise RuntimeError("boom")
    assert TicketEvent.objects.count() == before
    # and the next insert, outside any block, is written at once again
    event_record(ticket=ticket, code="sla.warning", reason="after")
    assert TicketEvent.objects.count() == before + 1


def test_changes_to_existing_rows_go_in_as_one_update_per_set_of_fields(billing, technical):
    tickets = [TicketFactory(team=billing) for _ in range(3)]
    stamped = [t.updated_at for t in tickets]
    with transaction.atomic(), CaptureQueriesContext(connection) as queries, gathered_writes():
        for ticket in tickets:
            ticket.team = technical
            update(ticket, ["team", "updated_at"])
        assert not Ticket.objects.filter(team=technical).exists()  # not yet
    assert Ticket.objects.filter(team=technical).count() == 3
    assert sum('UPDATE "helpdesk_ticket"' in q["sql"] for q in queries.captured_queries) == 1
    for ticket, before in zip(tickets, stamped, strict=True):
        ticket.refresh_from_db()
        assert ticket.updated_at > before  # auto_now, as save() would set it


def test_outside_a_block_a_change_is_saved_at_once(billing, technical):
    ticket = TicketFactory(team=billing)
    ticket.team = technical
    update(ticket, ["team"])
    assert Ticket.objects.get(pk=ticket.pk).team == technical
