"""The day facts follow the ticket history: only the days whose tickets changed are read again, late
commits and deletions are not missed, and a new layout rebuilds everything."""

from __future__ import annotations

import datetime as dt

import pytest

from analytics.facts import store
from analytics.facts.cohort import Cohort
from analytics.facts.tasks import facts_refresh
from analytics.models import FactDay, FactWatermark
from helpdesk.models import Ticket, TicketEvent
from tests.analytics.story import two_weeks

MONDAY, WEDNESDAY = dt.date(2025, 3, 3), dt.date(2025, 3, 5)


@pytest.fixture
def monday_and_wednesday(story, customer, invoices):
    """A ticket on Monday 3 March and one on Wednesday 5 March."""
    return story.ticket(customer, invoices, hours=0), story.ticket(customer, invoices, hours=48)


def test_the_first_refresh_reads_every_day_with_tickets_and_the_next_nothing(monday_and_wednesday):
    assert store.refresh() == [MONDAY, WEDNESDAY]
    assert store.refresh() == []
    assert list(FactDay.objects.order_by("day").values_list("day", "tickets")) == [
        (MONDAY, 1),
        (WEDNESDAY, 1),
    ]


def test_a_change_rebuilds_only_the_day_its_ticket_was_created(monday_and_wednesday, story, technical):
    monday, _ = monday_and_wednesday
    store.refresh()
    story.escalate(monday, 50, team=technical)  # on Wednesday, to Monday's ticket
    assert store.refresh() == [MONDAY]
    assert Cohort.of(two_weeks()).escalations("to_team").tolist() == [technical.pk]


def test_an_event_committed_after_the_watermark_passed_its_id_is_read_when_it_appears(
    monday_and_wednesday, story, technical
):
    monday, wednesday = monday_and_wednesday
    store.refresh()
    story.escalate(monday, 50, team=technical)
    story.escalate(wednesday, 51, team=technical)
    late, newest = TicketEvent.objects.filter(code="escalation.functional").order_by("pk")
    # As if Monday's escalation was still uncommitted when the facts last read up to Wednesday's.
    FactWatermark.objects.update(events=newest.pk, missing_events=[late.pk])
    assert store.refresh() == [MONDAY]
    assert FactWatermark.objects.get().missing_events == []


def test_ids_skipped_below_the_newest_are_waited_for_within_the_margin():
    assert store._advance(10, [], [11, 13]) == (13, [12])
    assert store._advance(13, [12], [12, 14]) == (14, [])
    latest, waiting = store._advance(13, [12], [13 + store.MARGIN])
    assert latest == 13 + store.MARGIN and 12 not in waiting  # that far below, it was rolled back


def test_a_deleted_ticket_leaves_its_day(monday_and_wednesday):
    monday, _ = monday_and_wednesday
    store.refresh()
    Ticket.objects.filter(pk=monday.pk).delete()
    assert store.refresh() == [MONDAY]
    assert Cohort.of(two_weeks()).count == 1
    assert not FactDay.objects.filter(day=MONDAY).exists()


def test_facts_kept_in_another_layout_are_built_again(monday_and_wednesday):
    store.refresh()
    FactWatermark.objects.update(schema=0)
    assert store.refresh() == [MONDAY, WEDNESDAY]


def test_the_worker_task_reads_in_what_changed(monday_and_wednesday):
    assert facts_refresh() == 2
    assert facts_refresh() == 0
