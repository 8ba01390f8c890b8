"""Review drafts on the agent's ticket page: approve (sent as the agent's reply) or discard."""

from __future__ import annotations

import pytest
from django.urls import reverse

from escalation.models.autonomy import AutomationRecord, CategoryAutonomy, Outcome, ThresholdChange
from helpdesk.models import AuthorKind, Autonomy
from tests.factories import CategoryFactory, TicketFactory


@pytest.fixture
def drafted(billing, agent):
    category = CategoryFactory(name="Invoice question", team=billing, is_automatable=True)
    ticket = TicketFactory(team=billing, category=category, assignee=agent, autonomy=Autonomy.REVIEW)
    AutomationRecord.objects.create(
        ticket=ticket,
        mode=Autonomy.REVIEW,
        category=category,
        confidence=0.7,
        draft="Open Billing → Invoices.",
    )
    return ticket


def decide(client, ticket, **data):
    return client.post(reverse("automation-draft", args=[ticket.pk]), data)


def test_the_ticket_page_shows_the_draft(agent_client, drafted):
    page = agent_client.get(reverse("agent:ticket", args=[drafted.pk]))
    assert b"Draft reply awaiting approval" in page.content and b"Open Billing" in page.content
    assert b"confidence 70%" in page.content


def test_approving_sends_the_edited_draft_and_counts_as_a_success(agent_client, agent, drafted):
    response = decide(agent_client, drafted, decision="approve", body="Open Billing → Invoices, then PDF.")

    assert response.status_code == 302
    reply = drafted.messages.get(author_kind=AuthorKind.AGENT)
    assert reply.body == "Open Billing → Invoices, then PDF." and reply.author == agent.user
    record = AutomationRecord.objects.get()
    assert record.outcome == Outcome.APPROVED and record.decided_by == agent.user
    assert CategoryAutonomy.objects.get().success_streak == [drafted.pk]
    page = agent_client.get(reverse("agent:ticket", args=[drafted.pk]))
    assert b"Draft reply awaiting approval" not in page.content


def test_discarding_sends_nothing_and_counts_as_a_failure(agent_client, drafted):
    decide(agent_client, drafted, decision="discard")

    assert not drafted.messages.exists()
    assert AutomationRecord.objects.get().outcome == Outcome.REJECTED
    assert ThresholdChange.objects.get().evidence["ticket_ids"] == [drafted.pk]


def test_bad_input_is_reported_on_the_page_never_a_500(agent_client, drafted):
    assert decide(agent_client, drafted, decision="approve", body="  ").status_code == 302
    assert AutomationRecord.objects.get().outcome == Outcome.PENDING  # an empty reply is refused
    assert decide(agent_client, drafted, decision="maybe").status_code == 302
    decide(agent_client, drafted, decision="discard")
    response = decide(agent_client, drafted, decision="discard")  # nothing left to discard
    assert response.status_code == 302
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("no draft" in m for m in messages)


def test_only_agents_who_may_work_the_ticket(client, customer, outsider, drafted):
    client.force_login(customer)
    assert decide(client, drafted, decision="discard").status_code == 403
    client.force_login(outsider.user)
    assert decide(client, drafted, decision="discard").status_code == 404
    assert AutomationRecord.objects.get().outcome == Outcome.PENDING
