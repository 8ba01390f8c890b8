"""bulk_set: many rows, each with its own values (NULLs and times included), in one statement."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from escalation.models.sla import TicketSla
from helpdesk import bulk
from helpdesk.bulk import bulk_set
from tests.factories import SlaPolicyFactory, TicketFactory

pytestmark = pytest.mark.django_db

T = dt.datetime(2025, 3, 3, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def states(tier1):
    return [TicketSla.objects.create(ticket=TicketFactory(tier=tier1), next_check_at=T) for _ in range(3)]


def test_each_row_gets_its_own_values_in_one_statement(states):
    policy = SlaPolicyFactory()
    values = [(T + dt.timedelta(minutes=5), policy), (None, None), (T + dt.timedelta(hours=2), policy)]
    for state, (check, chosen) in zip(states, values, strict=True):
        state.next_check_at, state.policy = check, chosen
    with CaptureQueriesContext(connection) as queries:
        bulk_set(states, ["next_check_at", "policy"])
    assert len(queries) == 1
    stored = {s.pk: (s.next_check_at, s.policy) for s in TicketSla.objects.all()}
    assert [stored[s.pk] for s in states] == values


def test_old_sqlite_falls_back_to_one_update_per_row(states, monkeypatch):
    if connection.vendor != "sqlite":
        pytest.skip("the fallback is for SQLite before 3.33")
    monkeypatch.setattr(bulk, "UPDATE_FROM_SQLITE", (99, 0, 0))
    for state in states:
        state.next_check_at = None
    bulk_set(states, ["next_check_at"])
    assert not TicketSla.objects.filter(next_check_at__isnull=False).exists()


def test_nothing_to_write_costs_nothing():
    with CaptureQueriesContext(connection) as queries:
        bulk_set([], ["next_check_at"])
    assert len(queries) == 0
