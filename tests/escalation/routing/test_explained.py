"""Every decision is explained: the API record, the "Why this agent?" panel, the handoff summary."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape

from escalation.routing import engine as routing
from helpdesk.models import AuthorKind, Status, Ticket
from helpdesk.services import message_add, ticket_escalate
from tests.factories import AgentFactory, MessageFactory, TeamFactory, TicketFactory

pytestmark = pytest.mark.django_db


def test_routing_api_returns_the_contract_fields_newest_first(
    api, staff_user, billing, tier1, tier2, agent, run_tasks
):
    ticket = TicketFactory(team=billing, tier=tier1)
    routing.route([ticket.pk], "created").get(ticket.pk)
    with run_tasks():
        ticket_escalate(ticket=ticket, kind="hierarchical", actor=agent.user, reason="Needs a specialist.")
    api.force_authenticate(staff_user)

    body = api.get(f"/api/tickets/{ticket.pk}/routing/").json()

    assert [d["trigger"] for d in body] == ["escalated", "created"]
    latest, first = body
    assert {
        "at",
        "trigger",
        "team",
        "tier",
        "agent",
        "explanation",
        "factors",
        "candidates",
        "rules_fired",
    } <= set(latest)
    assert (first["team"], first["tier"], first["agent"]) == ("Billing", 1, agent.user.username)
    assert latest["tier"] == 2 and latest["agent"] is None
    assert {"name", "value", "weight", "contribution"} <= set(first["factors"][0])
    assert first["candidates"] == [
        {
            "agent": agent.user.username,
            "score": first["candidates"][0]["score"],
            "excluded_reason": "",
            "details": first["candidates"][0]["details"],
        }
    ]
    assert first["triage"]["fallback_used"] is True  # no trained model yet: keyword fallback
    assert "keyword fallback" in first["explanation"]


def test_ticket_page_says_why_this_agent(agent_client, billing, tier1, agent):
    AgentFactory(tier=tier1, teams=[billing], capacity=1, status="offline")
    ticket = TicketFactory(team=billing, tier=tier1)
    routing.route([ticket.pk], "created").get(ticket.pk)

    page = agent_client.get(f"/agent/tickets/{ticket.pk}/").content.decode()

    assert "Why this agent?" in page
    assert escape(f"Assigned to {agent}: the best of 1 eligible agent") in page
    assert "offline" in page and "Priority score" in page
    assert "re-scored" not in page  # the score is still the one this run computed


def test_the_routing_runs_factors_are_dated_when_the_ticket_was_re_scored_since(
    agent_client, billing, tier1, agent
):
    ticket = TicketFactory(team=billing, tier=tier1)
    decision = routing.route([ticket.pk], "created").get(ticket.pk)
    routed = min(100.0, sum(f["contribution"] for f in decision.factors))
    Ticket.objects.filter(pk=ticket.pk).update(priority_score=routed + 12)  # as the SLA sweep would

    page = agent_client.get(f"/agent/tickets/{ticket.pk}/").content.decode()

    assert f"Priority score {routed:.0f} at this run" in page
    assert f"(now {routed + 12:.0f}, re-scored as the SLA clock and the account changed)" in page


def test_a_ticket_placed_without_the_router_does_not_claim_to_wait_for_it(
    client, lead, billing, tier1, agent
):
    placed = TicketFactory(team=billing, tier=tier1, assignee=agent, status=Status.OPEN)  # as an import does
    waiting = TicketFactory(team=None, tier=None)
    client.force_login(lead.user)

    assert "No routing decision is recorded" in client.get(f"/agent/tickets/{placed.pk}/").content.decode()
    assert "Not routed yet." in client.get(f"/agent/tickets/{waiting.pk}/").content.decode()


def _escalated_then_seen_by(viewer, client, ticket, agent, run_tasks, reason: str) -> str:
    """The ticket page as `viewer` sees it after `agent` escalated the ticket a tier up for `reason`."""
    with run_tasks():
        ticket_escalate(ticket=ticket, kind="hierarchical", actor=agent.user, reason=reason)
    client.force_login(viewer.user)
    return client.get(f"/agent/tickets/{ticket.pk}/").content.decode()


def test_escalated_ticket_shows_a_handoff_summary(
    agent_client, billing, tier1, tier2, agent, lead, customer, run_tasks
):
    ticket = TicketFactory(team=billing, tier=tier1, assignee=agent, status=Status.OPEN, customer=customer)
    MessageFactory(
        ticket=ticket, author=agent.user, author_kind=AuthorKind.AGENT, body="I reset the billing cycle."
    )
    message_add(
        ticket=ticket,
        author=agent.user,
        body="Recommend checking the Stripe webhook log first.",
        internal=True,
    )
    TicketFactory(customer=customer, subject="Earlier invoice problem", team=billing)
    page = _escalated_then_seen_by(
        lead, agent_client, ticket, agent, run_tasks, "Refund exceeds my authority."
    )

    assert "Handoff summary" in page
    assert "Hierarchical escalation" in page and "Refund exceeds my authority." in page
    assert "I reset the billing cycle." in page  # what was already tried
    assert "Recommend checking the Stripe webhook log first." in page  # the previous owner's advice
    assert "Earlier invoice problem" in page and "Contract value" in page


def test_without_a_note_the_handoff_does_not_repeat_the_reason_as_advice(
    agent_client, billing, tier1, tier2, agent, lead, run_tasks
):
    ticket = TicketFactory(team=billing, tier=tier1, assignee=agent, status=Status.OPEN)
    page = _escalated_then_seen_by(lead, agent_client, ticket, agent, run_tasks, "Needs a refund approval.")

    assert "<dt>Why</dt><dd>Needs a refund approval.</dd>" in page
    assert "<dt>Recommends</dt><dd>No note from the previous owner.</dd>" in page  # not the reason again


def test_unescalated_ticket_has_no_handoff_summary(agent_client, billing, tier1, agent):
    ticket = TicketFactory(team=billing, tier=tier1, assignee=agent, status=Status.OPEN)
    assert "Handoff summary" not in agent_client.get(f"/agent/tickets/{ticket.pk}/").content.decode()


def _queries_for_one_decision(team, tier) -> int:
    ticket = TicketFactory(team=team, tier=tier, body="We dispute a charge of $40.")
    with CaptureQueriesContext(connection) as captured:
        decision = routing.route([ticket.pk], "created").get(ticket.pk)
    assert decision.agent is not None
    return len(captured)


def test_queries_per_decision_do_not_grow_with_agents_or_tickets(billing, tier1, skills):
    AgentFactory(tier=tier1, teams=[billing], capacity=50, skills={skills["payments"]: 3})
    small = _queries_for_one_decision(billing, tier1)

    for _ in range(12):
        AgentFactory(
            tier=tier1, teams=[billing], capacity=50, skills={skills["payments"]: 2, skills["refunds"]: 4}
        )
    other = TeamFactory(name="Other")
    TicketFactory.create_batch(30, team=other, tier=tier1)
    large = _queries_for_one_decision(billing, tier1)

    assert large == small


def test_handoff_after_a_bounce_keeps_the_escalation_context(
    agent_client, agent, billing, technical, tier1, coordinator, outsider, run_tasks
):
    ticket = TicketFactory(team=technical, tier=tier1)
    routing.route([ticket.pk], "created").get(ticket.pk)
    with run_tasks():
        ticket_escalate(ticket=ticket, kind="functional", team=billing, actor=None, reason="Billing plan?")
    with run_tasks():
        ticket_escalate(
            ticket=ticket, kind="functional", team=technical, actor=None, reason="The webhook fails."
        )

    agent_client.force_login(coordinator.user)
    page = agent_client.get(f"/agent/tickets/{ticket.pk}/").content.decode()

    assert "Stopped bouncing:" in page and "Technical → Billing → Technical" in page
    assert "The webhook fails." in page  # the last escalation's reason, not just the block
    assert re.search(
        rf"Previous owner</dt>\s*<dd>{re.escape(escape(str(agent)))}</dd>", page
    )  # who had it in Billing
