"""Two sweeps at the same time (two workers) escalate each breached ticket exactly once."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from django.db import connection

from escalation.models.sla import BreachAction
from escalation.sla import actions as sla_actions
from escalation.sla.state import sla_sync
from escalation.sla.sweep import sweep_sla
from helpdesk.models import TicketEvent
from tests.escalation.conftest import MONDAY_9AM
from tests.factories import SlaPolicyFactory, TicketFactory, TierFactory

TICKETS = 24


@pytest.mark.postgres
def test_two_concurrent_sweeps_escalate_each_ticket_once(
    transactional_db, billing, time_machine, monkeypatch
):
    tier1, _ = TierFactory(level=1), TierFactory(level=2)
    SlaPolicyFactory(
        first_response_minutes=60,
        first_response_action=BreachAction.HIERARCHICAL,
    )
    time_machine.move_to(MONDAY_9AM, tick=False)
    tickets = [TicketFactory(tier=tier1, team=billing, created_at=MONDAY_9AM) for _ in range(TICKETS)]
    for ticket in tickets:
        sla_sync(ticket.pk)
    time_machine.move_to(MONDAY_9AM + dt.timedelta(hours=2), tick=False)

    # Slow each escalation down so the two sweeps really overlap.
    escalate = sla_actions.ticket_escalate

    def slow_escalate(**kwargs):
        time.sleep(0.01)
        return escalate(**kwargs)

    monkeypatch.setattr(sla_actions, "ticket_escalate", slow_escalate)
    start = threading.Barrier(2)
    reports, errors = [], []

    def worker():
        try:
            start.wait()
            reports.append(sweep_sla(batch_size=5))
        except Exception as exc:  # surfaced below: a thread's exception would otherwise vanish
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sum(report.checked for report in reports) == TICKETS
    assert all(report.checked > 0 for report in reports)  # both sweeps did part of the work
    for code in ("sla.breached", "escalation.hierarchical"):
        per_ticket = [TicketEvent.objects.filter(ticket=t, code=code).count() for t in tickets]
        assert per_ticket == [1] * TICKETS, code
