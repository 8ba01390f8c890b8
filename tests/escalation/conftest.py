"""Helpers for the SLA tests: tickets created the way customers create them, and sweeps whose
after-commit work (routing, SLA bookkeeping, e-mail) runs inline as it would in the worker."""

from __future__ import annotations

import datetime as dt

import pytest

from escalation.sweep import sweep_sla
from helpdesk.services import ticket_create
from tests.factories import CategoryFactory

# A Monday morning, so business-hours tests start inside opening hours.
MONDAY_9AM = dt.datetime(2025, 3, 3, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run a callable and then its on-commit callbacks (django-q2 runs in sync mode in tests)."""

    def run(action, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return action(*args, **kwargs)

    return run


@pytest.fixture
def sweep(committed):
    def run(**kwargs):
        return committed(sweep_sla, **kwargs)

    return run


@pytest.fixture
def refund(billing):
    return CategoryFactory(name="Refund request", team=billing)


@pytest.fixture
def new_ticket(customer, refund, committed):
    """A Billing ticket from the portal, routed and SLA-tracked as in production."""

    def create(**kwargs):
        kwargs.setdefault("category", refund)
        ticket = committed(
            ticket_create, customer=customer, subject="Refund please", body="Charged twice.", **kwargs
        )
        ticket.refresh_from_db()
        return ticket

    return create


@pytest.fixture
def clock(time_machine):
    """The frozen wall clock, starting on a Monday at 09:00 UTC."""
    time_machine.move_to(MONDAY_9AM, tick=False)
    return time_machine
