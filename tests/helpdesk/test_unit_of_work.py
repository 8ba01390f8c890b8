"""One unit of work (helpdesk.unit_of_work): many rows of one transaction written as one bulk insert per
table, with what needs their ids run right after; tasks and e-mails handed on once; SLA state kept."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from helpdesk import broker
from helpdesk.events import event_record
from helpdesk.models import LiveEvent, Notification, Ticket, TicketEvent
from helpdesk.notifications import notify
from helpdesk.signals import ticket_event_recorded
from helpdesk.unit_of_work import insert, unit_of_work, update
from tests.factories import TicketFactory

pytestmark = pytest.mark.django_db


def test_outside_a_block_each_insert_is_written_at_once(billing):
    ticket = TicketFactory(team=billing)
    seen = []
    event = TicketEvent(ticket=ticket, code="note.test")
    insert(event, then=lambda: seen.append(event.pk))
    assert event.pk is not None and seen == [event.pk]


def test_inside_a_block_rows_wait_for_its_end_and_name_each_others_ids(billing, agent):
    tickets = [TicketFactory(team=billing) for _ in range(3)]
    before = TicketEvent.objects.count(), LiveEvent.objects.count(), Notification.objects.count()
    with unit_of_work(gather_writes=True):
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
    with CaptureQueriesContext(connection) as queries, unit_of_work(gather_writes=True):
        for ticket in tickets:
            event_record(ticket=ticket, code="sla.warning", reason="due soon")
            notify(recipients=[agent.user], kind="sla.warning", title="x", ticket=ticket)
    inserts = [q["sql"].split()[2] for q in queries.captured_queries if q["sql"].startswith("INSERT")]
    # ticket events; notifications; the live rows of both (PostgreSQL without Redis adds its NOTIFYs)
    assert inserts == ['"helpdesk_ticketevent"', '"helpdesk_notification"', '"helpdesk_liveevent"']


def test_each_event_is_announced_once_it_has_its_id(billing):
    ticket = TicketFactory(team=billing)
    heard = []

    def listener(sender, event, **kwargs):
        heard.append((event.code, event.pk is not None))

    ticket_event_recorded.connect(listener)
    try:
        with unit_of_work(gather_writes=True):
            event_record(ticket=ticket, code="sla.warning", reason="due soon")
            assert heard == []  # announced once it has its id
    finally:
        ticket_event_recorded.disconnect(listener)
    assert heard == [("sla.warning", True)]


def test_a_unit_that_does_not_gather_writes_each_row_at_once(billing):
    ticket = TicketFactory(team=billing)
    with unit_of_work():
        event = event_record(ticket=ticket, code="sla.warning", reason="due soon")
        assert event.pk is not None


def test_a_unit_inside_another_joins_it(billing):
    ticket = TicketFactory(team=billing)
    with unit_of_work(gather_writes=True) as outer:
        with unit_of_work() as inner:
            event_record(ticket=ticket, code="sla.warning", reason="due soon")
        assert inner is outer
        assert not TicketEvent.objects.filter(code="sla.warning").exists()  # still gathered
    assert TicketEvent.objects.filter(code="sla.warning").count() == 1


def test_a_block_that_fails_writes_nothing(billing):
    ticket = TicketFactory(team=billing)
    before = TicketEvent.objects.count()
    with pytest.raises(RuntimeError), unit_of_work(gather_writes=True):
        event_record(ticket=ticket, code="sla.warning", reason="due soon")
        raise RuntimeError("boom")
    assert TicketEvent.objects.count() == before
    # and the next insert, outside any block, is written at once again
    event_record(ticket=ticket, code="sla.warning", reason="after")
    assert TicketEvent.objects.count() == before + 1


def test_changes_to_existing_rows_go_in_as_one_update_per_set_of_fields(billing, technical):
    tickets = [TicketFactory(team=billing) for _ in range(3)]
    stamped = [t.updated_at for t in tickets]
    with CaptureQueriesContext(connection) as queries, unit_of_work(gather_writes=True):
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


@pytest.mark.django_db(transaction=True)  # the SLA sync is handed on when the unit commits
def test_events_of_a_ticket_whose_sla_state_the_unit_keeps_start_no_sla_sync(billing, monkeypatch):
    sent = []
    monkeypatch.setattr(broker, "async_task", lambda func, *args, **kwargs: sent.append((func, args)))
    kept, other = TicketFactory(team=billing), TicketFactory(team=billing)
    with unit_of_work(gather_writes=True) as unit:
        unit.keep_sla_state(kept.pk)  # what the SLA sweep does while it fires the ticket's triggers
        event_record(ticket=kept, code="ticket.priority_changed", reason="score rose")
        heard = event_record(ticket=other, code="ticket.priority_changed", reason="agent raised it")
    [(func, args)] = sent  # one broker message for the whole unit
    assert func == "escalation.tasks.sla_sync_events"
    assert args == ([heard.pk],)
