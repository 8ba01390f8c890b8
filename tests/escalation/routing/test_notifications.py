"""The agent a ticket goes to hears about it: in the app, and by e-mail once the routing commits."""

from __future__ import annotations

import pytest
from django.core import mail

from helpdesk.models import Notification
from helpdesk.services import ticket_create
from tests.factories import AgentFactory

pytestmark = pytest.mark.django_db


def test_the_agent_a_new_ticket_is_routed_to_gets_an_email(billing, tier1, categories, submit):
    agent = AgentFactory(tier=tier1, teams=[billing], capacity=5)
    mail.outbox.clear()

    ticket = submit("Refund please", "I would like a refund for last month.")  # routed as a batch

    assert ticket.assignee == agent
    assert Notification.objects.filter(recipient=agent.user, ticket=ticket, kind="assignment").exists()
    # the agent's assignment e-mail, next to the customer's acknowledgement of the new ticket
    assert [m.to for m in mail.outbox if m.to != [ticket.customer.email]] == [[agent.user.email]]
    assert ticket.number in mail.outbox[0].subject


def test_a_backlog_routed_in_one_batch_emails_each_agent_about_each_of_their_tickets(
    billing, tier1, categories, customer, django_capture_on_commit_callbacks
):
    first = AgentFactory(tier=tier1, teams=[billing], capacity=1)
    second = AgentFactory(tier=tier1, teams=[billing], capacity=1)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):  # both arrive before the worker runs
        tickets = [
            ticket_create(customer=customer, subject=f"Refund {n}", body="A refund, please.") for n in (1, 2)
        ]

    for ticket in tickets:
        ticket.refresh_from_db()
    assert {t.assignee for t in tickets} == {first, second}
    # each agent's assignment e-mail, next to the customer's acknowledgements of the new tickets
    to_agents = [m.to[0] for m in mail.outbox if m.to != [customer.email]]
    assert sorted(to_agents) == sorted([first.user.email, second.user.email])
