"""Tasks one change hands on leave in one broker message, and a failing one is retried alone."""

from __future__ import annotations

import pytest

from escalation.tasks import route_ticket
from helpdesk import background, broker
from helpdesk.services import ticket_create
from helpdesk.unit_of_work import unit_of_work

ran: list[str] = []


def note(name: str) -> None:
    ran.append(name)


def fail(name: str) -> None:
    raise RuntimeError(name)


@pytest.fixture
def sent(monkeypatch):
    """What reached the broker: (func, args) per message."""
    messages = []
    monkeypatch.setattr(broker, "async_task", lambda func, *args, **kwargs: messages.append((func, args)))
    ran.clear()
    return messages


@pytest.mark.django_db(transaction=True)  # the block must see the real commit and its hooks
def test_a_new_ticket_hands_routing_over_in_one_message_and_its_first_routing_starts_the_sla_clock(
    customer, sent
):
    ticket = ticket_create(customer=customer, subject="Export fails", body="It times out.")
    assert sent == [("escalation.tasks.route_ticket", (ticket.pk, "created"))]

    sent.clear()
    route_ticket(ticket.pk, "created")

    # one broker message: the SLA clock and the customer's acknowledgement e-mail of the created event
    created = ticket.events.get(code="ticket.created").pk
    [(func, (tasks,))] = sent
    assert func == "helpdesk.background.run_together"
    assert ("helpdesk.mail.tasks.customer_mail", (created,), {}) in tasks
    [sync_ids] = [args[0] for name, args, _ in tasks if name == "escalation.tasks.sla_sync_events"]
    assert created in sync_ids


@pytest.mark.django_db(transaction=True)
def test_the_events_of_one_routing_start_one_sla_sync_of_their_ticket(customer, agent, billing, sent):
    ticket = ticket_create(customer=customer, subject="Invoice charged twice", body="Please refund.")
    ticket.team = billing
    ticket.save(update_fields=["team"])
    sent.clear()

    route_ticket(ticket.pk, "created")

    syncs = [args for func, args in _flat(sent) if func.startswith("escalation.tasks.sla_sync")]
    codes = set(ticket.events.values_list("code", flat=True))
    assert {"ticket.created", "ticket.assigned"} <= codes  # several events, one commit
    assert len(syncs) == 1
    [event_ids] = syncs[0]
    assert set(event_ids) == set(ticket.events.filter(code__in=codes).values_list("pk", flat=True))


def _flat(messages):
    """The tasks inside the broker messages (a message may carry several, run together)."""
    for func, args in messages:
        if func == background.RUN_TOGETHER:
            yield from ((f, a) for f, a, _ in args[0])
        else:
            yield func, args


@pytest.mark.django_db
def test_a_single_task_goes_as_itself_and_nested_units_join_the_outer_one(sent):
    with unit_of_work():
        with unit_of_work():
            background.enqueue("tests.helpdesk.test_background.note", "a")
        assert sent == []  # nothing leaves before the outer block ends
    assert sent == [("tests.helpdesk.test_background.note", ("a",))]


def test_outside_a_block_every_task_leaves_at_once(sent):
    background.enqueue("tests.helpdesk.test_background.note", "a")
    background.enqueue("tests.helpdesk.test_background.note", "b")
    assert len(sent) == 2


def test_the_worker_runs_each_task_and_queues_a_failed_one_again_alone(sent):
    background.run_together(
        [
            ("tests.helpdesk.test_background.note", ("first",), {}),
            ("tests.helpdesk.test_background.fail", ("broken",), {}),
            ("tests.helpdesk.test_background.note", ("last",), {}),
        ]
    )
    assert ran == ["first", "last"]
    assert sent == [("tests.helpdesk.test_background.fail", ("broken",))]
