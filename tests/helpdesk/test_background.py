"""Tasks one change hands on leave in one broker message, and a failing one is retried alone."""

from __future__ import annotations

import pytest

from escalation.tasks import route_ticket
from helpdesk import background
from helpdesk.services import ticket_create

ran: list[str] = []


def note(name: str) -> None:
    ran.append(name)


def fail(name: str) -> None:
    raise RuntimeError(name)


@pytest.fixture
def sent(monkeypatch):
    """What reached the broker: (func, args) per message."""
    messages = []
    monkeypatch.setattr(background, "async_task", lambda func, *args, **kwargs: messages.append((func, args)))
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
    assert ("escalation.tasks.sla_sync_event", (created,), {}) in tasks
    assert ("helpdesk.mail.tasks.customer_mail", (created,), {}) in tasks


def test_a_single_task_goes_as_itself_and_nested_blocks_join_the_outer_one(sent):
    with background.tasks_sent_together():
        with background.tasks_sent_together():
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
