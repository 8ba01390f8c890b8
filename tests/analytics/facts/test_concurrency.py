"""On PostgreSQL, with real concurrent transactions: an event whose transaction commits after a later
one's is still read into the day facts."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, transaction

from analytics.facts import store
from analytics.facts.cohort import Cohort
from helpdesk.events import event_record
from helpdesk.models import Ticket
from tests.analytics.facts.test_store import MONDAY, WEDNESDAY
from tests.analytics.story import two_weeks

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_an_escalation_committed_after_a_later_one_is_read_when_it_commits(
    story, customer, invoices, technical
):
    monday = story.ticket(customer, invoices, hours=0)
    wednesday = story.ticket(customer, invoices, hours=48)
    store.refresh()
    written, release = threading.Event(), threading.Event()

    def slow_escalation() -> None:
        """Escalates Monday's ticket and holds the transaction open: its event id is taken, not committed."""
        try:
            with transaction.atomic():
                ticket = Ticket.objects.select_for_update().get(pk=monday.pk)
                event_record(ticket=ticket, code="escalation.functional", to_team=technical)
                written.set()
                release.wait(10)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = pool.submit(slow_escalation)
        assert written.wait(10)
        story.escalate(wednesday, 50, team=technical)  # commits first, with the higher id
        assert store.refresh() == [WEDNESDAY]
        release.set()
        pending.result()
    assert store.refresh() == [MONDAY]
    assert Cohort.of(two_weeks()).escalations("to_team").tolist() == [technical.pk, technical.pk]
