"""Ticket lifecycle services: what a user of the helpdesk would notice."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from helpdesk.models import LiveEvent, Status, Ticket, TicketEvent
from helpdesk.services import (
    errors,
    message_add,
    ticket_assign,
    ticket_create,
    ticket_escalate,
    ticket_resolve,
    ticket_set_status,
)
from tests.factories import CategoryFactory, TicketFactory

pytestmark = pytest.mark.django_db


def test_it_creates_a_ticket_with_first_message_and_its_routing_records_the_created_event(
    customer, billing, staff_user, django_capture_on_commit_callbacks
):
    category = CategoryFactory(name="Refund request", team=billing)
    with django_capture_on_commit_callbacks() as routing:
        ticket = ticket_create(
            customer=customer,
            subject=" Refund please ",
            body="I was charged twice.",
            category=category,
            actor=staff_user,
        )

    assert ticket.subject == "Refund please"
    assert ticket.team == billing
    assert ticket.organization == customer.customer.organization
    assert list(ticket.messages.values_list("body", "author_kind")) == [("I was charged twice.", "customer")]
    assert not ticket.events.exists()  # intake writes the ticket and its message only

    with django_capture_on_commit_callbacks(execute=True):
        for run_routing_task in routing:
            run_routing_task()

    created = ticket.events.get(code="ticket.created")
    assert (created.created_at, created.actor, created.to_team) == (ticket.created_at, staff_user, billing)
    live = LiveEvent.objects.get(ticket=ticket, kind="ticket.created")
    assert f"customer.{customer.pk}" in live.groups and f"team.{billing.pk}" in live.groups


@pytest.mark.parametrize(
    ("subject", "body", "field", "message"),
    [
        ("", "body", "subject", errors.ERR_SUBJECT_REQUIRED),
        ("   ", "body", "subject", errors.ERR_SUBJECT_REQUIRED),
        ("x" * 201, "body", "subject", "Keep the subject under 200 characters."),
        ("subject", "", "body", errors.ERR_BODY_REQUIRED),
        ("subject", "x" * 20_001, "body", "Keep the description under 20,000 characters."),
    ],
)
def test_it_refuses_invalid_tickets_and_saves_nothing(customer, subject, body, field, message):
    with pytest.raises(ValidationError) as exc:
        ticket_create(customer=customer, subject=subject, body=body)
    assert exc.value.message_dict[field] == [message]
    assert Ticket.objects.count() == 0


def test_intake_leaves_triage_to_the_routing_task(customer, billing, django_capture_on_commit_callbacks):
    CategoryFactory(name="Refund request", team=billing, keywords=["refund", "money back"])
    with django_capture_on_commit_callbacks(execute=True):
        ticket = ticket_create(
            customer=customer, subject="Money back?", body="I would like a refund for last month."
        )
    assert ticket.category is None and ticket.sentiment is None  # nothing waited for triage
    ticket.refresh_from_db()  # the routing task ran after commit (tasks run inline in tests)
    assert ticket.category.name == "Refund request"
    assert ticket.team == billing
    assert ticket.sentiment is not None


def test_first_agent_reply_opens_the_ticket_and_records_first_response(customer, agent, billing):
    ticket = TicketFactory(customer=customer, team=billing)
    message_add(ticket=ticket, author=agent.user, body="Looking into it.")
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN
    assert ticket.first_response_at is not None


def test_internal_notes_do_not_count_as_a_response(customer, agent, billing):
    ticket = TicketFactory(customer=customer, team=billing)
    message_add(ticket=ticket, author=agent.user, body="Checking logs.", internal=True)
    ticket.refresh_from_db()
    assert ticket.first_response_at is None
    assert ticket.status == Status.NEW


def test_customers_cannot_write_internal_notes(customer, billing):
    ticket = TicketFactory(customer=customer, team=billing)
    with pytest.raises(ValidationError) as exc:
        message_add(ticket=ticket, author=customer, body="secret", internal=True)
    assert exc.value.message_dict["internal"] == [errors.ERR_CUSTOMER_NOTE]


def test_strangers_cannot_write_on_a_ticket(customer, other_customer, outsider, billing):
    ticket = TicketFactory(customer=customer, team=billing)
    for stranger in (other_customer, outsider.user):
        with pytest.raises(PermissionDenied):
            message_add(ticket=ticket, author=stranger, body="hello")


def test_customer_reply_on_pending_ticket_resumes_it(customer, billing):
    ticket = TicketFactory(customer=customer, team=billing, status=Status.PENDING)
    message_add(ticket=ticket, author=customer, body="Here are the details.")
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN
    assert "ticket.status_changed" in ticket.events.values_list("code", flat=True)


def test_customer_reply_reopens_a_resolved_ticket(customer, agent, billing):
    ticket = TicketFactory(customer=customer, team=billing, assignee=agent, status=Status.OPEN)
    ticket_resolve(ticket=ticket, actor=agent.user)
    message_add(ticket=ticket, author=customer, body="It is broken again.")
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN
    assert ticket.reopen_count == 1
    assert ticket.resolved_at is None
    assert ticket.assignee == agent  # goes back to the last agent


def test_nobody_can_write_on_a_closed_ticket(customer, billing):
    ticket = TicketFactory(customer=customer, team=billing, status=Status.CLOSED)
    with pytest.raises(ValidationError) as exc:
        message_add(ticket=ticket, author=customer, body="hello?")
    assert exc.value.message_dict["body"] == [errors.ERR_TICKET_CLOSED]


def test_reply_can_set_pending_afterwards(customer, agent, billing):
    ticket = TicketFactory(customer=customer, team=billing)
    message_add(
        ticket=ticket, author=agent.user, body="Can you send a screenshot?", then_status=Status.PENDING
    )
    ticket.refresh_from_db()
    assert ticket.status == Status.PENDING


def test_status_changes_follow_the_allowed_transitions(customer, agent, billing):
    ticket = TicketFactory(customer=customer, team=billing, status=Status.OPEN)
    ticket_set_status(ticket=ticket, status=Status.ON_HOLD, actor=agent.user)
    with pytest.raises(ValidationError) as exc:
        ticket_set_status(ticket=ticket, status=Status.CLOSED, actor=agent.user)
    assert "cannot be set to closed" in exc.value.message_dict["status"][0]
    event = ticket.events.get(code="ticket.status_changed")
    assert (event.from_value, event.to_value, event.actor) == ("open", "on_hold", agent.user)


def test_assignment_is_logged_with_from_and_to(customer, agent, lead, billing):
    ticket = TicketFactory(customer=customer, team=billing)
    ticket_assign(ticket=ticket, agent=agent, actor=lead.user, reason="Payments expert")
    ticket_assign(ticket=ticket, agent=lead, actor=lead.user)
    events = list(ticket.events.filter(code="ticket.assigned").order_by("id"))
    assert [(e.from_agent, e.to_agent) for e in events] == [(None, agent), (agent, lead)]
    assert events[0].reason == "Payments expert"


def test_agents_outside_the_team_cannot_be_assigned(customer, outsider, lead, billing):
    ticket = TicketFactory(customer=customer, team=billing)
    with pytest.raises(ValidationError) as exc:
        ticket_assign(ticket=ticket, agent=outsider, actor=lead.user)
    assert exc.value.message_dict["assignee"] == [errors.ERR_AGENT_NOT_IN_TEAM]


def test_hierarchical_escalation_moves_to_the_next_tier_and_unassigns(customer, agent, billing, tier1, tier2):
    ticket = TicketFactory(customer=customer, team=billing, tier=tier1, assignee=agent, status=Status.OPEN)
    ticket = ticket_escalate(
        ticket=ticket, kind="hierarchical", actor=agent.user, reason="Needs database access"
    )
    assert ticket.tier == tier2
    assert ticket.assignee is None
    assert ticket.escalation_count == 1
    event = ticket.events.get(code="escalation.hierarchical")
    assert (event.from_tier, event.to_tier, event.from_agent, event.reason) == (
        tier1,
        tier2,
        agent,
        "Needs database access",
    )


def test_functional_escalation_moves_to_another_team(customer, agent, billing, technical, tier1):
    ticket = TicketFactory(customer=customer, team=billing, tier=tier1, assignee=agent, status=Status.OPEN)
    ticket = ticket_escalate(
        ticket=ticket, kind="functional", team=technical, actor=agent.user, reason="API problem"
    )
    assert (ticket.team, ticket.tier) == (technical, tier1)
    event = ticket.events.get(code="escalation.functional")
    assert (event.from_team, event.to_team) == (billing, technical)


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"kind": "hierarchical", "reason": " "}, "reason", errors.ERR_REASON_REQUIRED),
        ({"kind": "functional", "reason": "x"}, "team", errors.ERR_TEAM_REQUIRED),
        ({"kind": "sideways", "reason": "x"}, "kind", None),
    ],
)
def test_escalation_needs_a_reason_and_a_target(customer, agent, billing, tier1, kwargs, field, message):
    ticket = TicketFactory(customer=customer, team=billing, tier=tier1)
    with pytest.raises(ValidationError) as exc:
        ticket_escalate(ticket=ticket, actor=agent.user, **kwargs)
    assert field in exc.value.message_dict
    if message:
        assert exc.value.message_dict[field] == [message]
    assert not TicketEvent.objects.filter(code__startswith="escalation.").exists()


def test_there_is_no_escalation_above_the_top_tier(customer, agent, billing, tier1, tier2):
    ticket = TicketFactory(customer=customer, team=billing, tier=tier2)
    with pytest.raises(ValidationError) as exc:
        ticket_escalate(ticket=ticket, kind="hierarchical", actor=agent.user, reason="more help")
    assert exc.value.message_dict["tier"] == [errors.ERR_NO_HIGHER_TIER]


def test_escalating_to_the_same_team_is_refused(customer, agent, billing, tier1):
    ticket = TicketFactory(customer=customer, team=billing, tier=tier1)
    with pytest.raises(ValidationError) as exc:
        ticket_escalate(ticket=ticket, kind="functional", team=billing, actor=agent.user, reason="x")
    assert exc.value.message_dict["team"] == [errors.ERR_SAME_TEAM]


def test_resolving_twice_is_refused(customer, agent, billing):
    ticket = TicketFactory(customer=customer, team=billing, status=Status.OPEN)
    ticket_resolve(ticket=ticket, actor=agent.user)
    with pytest.raises(ValidationError):
        ticket_resolve(ticket=ticket, actor=agent.user)


def test_the_event_log_is_append_only(customer):
    ticket = TicketFactory(customer=customer)
    event = TicketEvent.objects.create(ticket=ticket, code="ticket.created")
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        event.delete()
    with pytest.raises(TypeError):
        TicketEvent.objects.filter(pk=event.pk).update(reason="rewritten")
    with pytest.raises(TypeError):
        TicketEvent.objects.all().delete()
