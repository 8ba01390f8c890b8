"""The workspace through the API: PATCH, reply and set status, bulk actions, merge, links, macros."""

from __future__ import annotations

import pytest
from django.core import mail
from rest_framework.test import APIClient

from helpdesk.models import AuthorKind, Macro, Notification, Status, Ticket, TicketEvent
from helpdesk.services import message_add, ticket_assign
from helpdesk.services.collaboration import ticket_follow
from tests.factories import AgentFactory, TicketFactory, UserFactory

pytestmark = pytest.mark.django_db


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _codes(ticket) -> list[str]:
    return list(TicketEvent.objects.filter(ticket=ticket).values_list("code", flat=True))


def test_patch_changes_status_priority_assignee_and_tags_through_the_services(agent, billing, customer):
    ticket = TicketFactory(team=billing, customer=customer)
    response = _client(agent.user).patch(
        f"/api/tickets/{ticket.pk}/",
        {"priority": "high", "assignee": "ana", "tags": ["Refund", "vip "], "status": "pending"},
        format="json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["priority"], body["assignee"], body["status"], body["tags"]) == (
        "high",
        "ana",
        "pending",
        ["refund", "vip"],
    )
    codes = _codes(ticket)
    for code in ("ticket.tagged", "ticket.priority_changed", "ticket.assigned", "ticket.status_changed"):
        assert code in codes
    # Unassign, resolve, and drop a tag.
    response = _client(agent.user).patch(
        f"/api/tickets/{ticket.pk}/", {"assignee": None, "status": "resolved", "tags": ["vip"]}, format="json"
    )
    assert response.status_code == 200, response.content
    assert (response.json()["assignee"], response.json()["status"], response.json()["tags"]) == (
        None,
        "resolved",
        ["vip"],
    )


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"status": "bogus"}, "status"),
        ({"priority": 7}, "priority"),
        ({"assignee": "nobody"}, "assignee"),
        ({"tags": ["<b>"]}, "tags"),
        ({"tags": "notalist"}, "tags"),
        ({}, "non_field_errors"),
        ({"status": "closed"}, "status"),  # an open ticket is resolved before it is closed
    ],
)
def test_patch_refuses_bad_input_with_field_errors(agent, billing, payload, field):
    ticket = TicketFactory(team=billing)
    response = _client(agent.user).patch(f"/api/tickets/{ticket.pk}/", payload, format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_patch_respects_capacity_and_reach(agent, outsider, billing, customer):
    agent.capacity = 1
    agent.save()
    TicketFactory(team=billing, assignee=agent, status=Status.OPEN)
    ticket = TicketFactory(team=billing)
    response = _client(agent.user).patch(f"/api/tickets/{ticket.pk}/", {"assignee": "ana"}, format="json")
    assert response.status_code == 400 and "capacity" in response.json()["assignee"][0]
    assert (
        _client(outsider.user)
        .patch(f"/api/tickets/{ticket.pk}/", {"priority": "low"}, format="json")
        .status_code
        == 404
    )
    assert (
        _client(customer).patch(f"/api/tickets/{ticket.pk}/", {"priority": "low"}, format="json").status_code
        == 404
    )


def test_reply_and_resolve_in_one_request(agent, billing, customer):
    ticket = TicketFactory(team=billing, customer=customer)
    response = _client(agent.user).post(
        f"/api/tickets/{ticket.pk}/messages/", {"body": "Fixed, thanks!", "status": "resolved"}, format="json"
    )
    assert response.status_code == 201, response.content
    ticket.refresh_from_db()
    assert ticket.status == Status.RESOLVED and ticket.first_response_at is not None


def test_bulk_answers_per_ticket_and_records_each(agent, billing, technical, customer):
    mine = [TicketFactory(team=billing, customer=customer) for _ in range(3)]
    foreign = TicketFactory(team=technical)
    response = _client(agent.user).post(
        "/api/tickets/bulk/",
        {"ids": [t.pk for t in mine] + [foreign.pk, 999999], "action": "priority", "value": "urgent"},
        format="json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["succeeded"], body["failed"]) == (3, 2)
    assert [r["ok"] for r in body["results"]] == [True, True, True, False, False]
    for ticket in mine:
        assert "ticket.priority_changed" in _codes(ticket)
    assert Ticket.objects.get(pk=foreign.pk).priority == "normal"


def test_bulk_assign_stops_at_capacity_and_tags_and_escalate(agent, billing, tier1, tier2, customer):
    agent.capacity = 2
    agent.save()
    tickets = [TicketFactory(team=billing, tier=tier1, customer=customer) for _ in range(3)]
    client = _client(agent.user)
    body = client.post(
        "/api/tickets/bulk/",
        {"ids": [t.pk for t in tickets], "action": "assign", "value": "me"},
        format="json",
    ).json()
    assert [r["ok"] for r in body["results"]] == [True, True, False]
    assert "capacity" in body["results"][2]["errors"]["assignee"][0]
    body = client.post(
        "/api/tickets/bulk/",
        {"ids": [tickets[0].pk], "action": "tags", "value": ["billing-bug"]},
        format="json",
    ).json()
    assert body["succeeded"] == 1 and Ticket.objects.get(pk=tickets[0].pk).tags.get().name == "billing-bug"
    body = client.post(
        "/api/tickets/bulk/",
        {"ids": [tickets[2].pk], "action": "escalate", "value": {"reason": "Needs L2"}},
        format="json",
    ).json()
    assert body["succeeded"] == 1 and Ticket.objects.get(pk=tickets[2].pk).tier == tier2
    bad = client.post("/api/tickets/bulk/", {"ids": [tickets[0].pk], "action": "escalate"}, format="json")
    assert bad.status_code == 400 and "value" in bad.json()
    assert client.post("/api/tickets/bulk/", {"ids": [], "action": "nope"}, format="json").status_code == 400


def test_merge_moves_conversation_and_events_tells_customer_and_old_number_answers_with_target(
    agent, billing, customer, other_customer
):
    old = TicketFactory(team=billing, customer=customer, subject="Printer on fire")
    keep = TicketFactory(team=billing, customer=customer)
    message_add(ticket=old, author=customer, body="It is still burning")
    ticket_assign(ticket=old, agent=agent, actor=agent.user)
    client = _client(agent.user)
    response = client.post(f"/api/tickets/{old.pk}/merge/", {"into": keep.pk}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["id"] == keep.pk
    bodies = list(keep.messages.values_list("body", "author_kind", "is_internal"))
    assert ("It is still burning", AuthorKind.CUSTOMER, False) in bodies
    notice = [b for b, kind, internal in bodies if kind == AuthorKind.SYSTEM and not internal]
    assert notice and f"#{old.pk}" in notice[0]
    assert "ticket.assigned" in _codes(keep) and "ticket.merged_in" in _codes(keep)
    old.refresh_from_db()
    assert (old.status, old.merged_into_id) == (Status.CLOSED, keep.pk)
    assert client.get(f"/api/tickets/{old.pk}/").json()["id"] == keep.pk
    # Customers' conversations never mix.
    stranger = TicketFactory(team=billing, customer=other_customer)
    refused = client.post(f"/api/tickets/{stranger.pk}/merge/", {"into": keep.pk}, format="json")
    assert refused.status_code == 400 and "into" in refused.json()
    assert client.post(f"/api/tickets/{keep.pk}/merge/", {"into": keep.pk}, format="json").status_code == 400


def test_links_both_ways(agent, billing):
    a, b = TicketFactory(team=billing), TicketFactory(team=billing)
    client = _client(agent.user)
    response = client.post(
        f"/api/tickets/{a.pk}/links/", {"target": b.pk, "kind": "caused_by"}, format="json"
    )
    assert response.status_code == 201
    assert response.json()[0]["ticket"] == b.pk
    assert client.get(f"/api/tickets/{b.pk}/links/").json()[0]["label"] == "Caused"
    assert (
        client.post(
            f"/api/tickets/{a.pk}/links/", {"target": a.pk, "kind": "related"}, format="json"
        ).status_code
        == 400
    )


def test_macros_listed_by_reach_and_applied_with_safe_placeholders(
    agent, outsider, billing, technical, customer
):
    customer.first_name = "Carla"
    customer.save()
    agent.user.first_name = "Ana"
    agent.user.save()
    shared = Macro.objects.create(
        name="Refund done",
        body="Hi {{ customer_name }}, {{ ticket_number }} is refunded. {{ settings.SECRET_KEY }} {% now 'Y' %} — {{agent_name}}",
        team=billing,
        set_status="pending",
        add_tags=["refund"],
    )
    Macro.objects.create(name="Tech only", body="x", team=technical)
    Macro.objects.create(name="Mine", body="y", owner=outsider)
    client = _client(agent.user)
    assert [m["name"] for m in client.get("/api/macros/").json()] == ["Refund done"]
    ticket = TicketFactory(team=billing, customer=customer)
    response = client.post(f"/api/tickets/{ticket.pk}/apply-macro/", {"macro": shared.pk}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["message"]["body"] == (
        f"Hi Carla, #{ticket.pk} is refunded. {{{{ settings.SECRET_KEY }}}} {{% now 'Y' %}} — Ana"
    )
    assert (body["ticket"]["status"], body["ticket"]["tags"]) == ("pending", ["refund"])
    shared.refresh_from_db()
    assert shared.usage_count == 1
    assert "macro.applied" in _codes(ticket)
    unknown = client.post(f"/api/tickets/{ticket.pk}/apply-macro/", {"macro": "Tech only"}, format="json")
    assert unknown.status_code == 400 and "macro" in unknown.json()


def test_mention_in_a_note_notifies_and_emails_the_agent_and_followers_hear_of_replies(
    agent, lead, billing, customer, django_capture_on_commit_callbacks
):
    colleague = AgentFactory(
        user=UserFactory(username="bruno", email="bruno@help.test"), tier=agent.tier, teams=[billing]
    )
    ticket = TicketFactory(team=billing, customer=customer)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        message_add(
            ticket=ticket, author=agent.user, body="@Bruno can you check? Not carla@acme.test", internal=True
        )
    note = Notification.objects.get(recipient=colleague.user)
    assert note.kind == "mention" and note.ticket_id == ticket.pk
    assert any("bruno@help.test" in m.to for m in mail.outbox)
    ticket_follow(ticket=ticket, user=lead.user)
    message_add(ticket=ticket, author=customer, body="Any news?")
    assert Notification.objects.filter(recipient=lead.user, kind="followed", ticket=ticket).exists()
