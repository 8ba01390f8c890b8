"""The workspace pages: search box, bulk bar, saved views, macros in the reply box, send and resolve,
files on replies and notes, the newer-message warning, tags, merge, and unique element ids."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from helpdesk.models import Macro, Message, SavedView, Status, Ticket, TicketEvent
from helpdesk.services import message_add
from tests.factories import TicketFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4"
    b"\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


def _ids(html: str) -> Counter:
    return Counter(re.findall(r'\sid="([^"]+)"', html))


def test_ticket_page_has_unique_ids_and_every_label_points_at_a_field(agent_client, billing, customer):
    ticket = TicketFactory(team=billing, customer=customer)
    Macro.objects.create(name="Thanks", body="Thanks {{ customer_name }}")
    html = agent_client.get(f"/agent/tickets/{ticket.pk}/").content.decode()
    duplicates = {i: n for i, n in _ids(html).items() if n > 1}
    assert duplicates == {}
    ids = set(_ids(html))
    for target in re.findall(r'<label for="([^"]+)"', html):
        assert target in ids, target
    for expected in (
        "id_reply-body",
        "id_note-body",
        "id_status-reason",
        "id_resolve-reason",
        "id_escalate-reason",
    ):
        assert expected in ids


def test_queue_search_box_finds_and_highlights(agent_client, billing, customer):
    hit = TicketFactory(team=billing, customer=customer, subject="Invoice <b>twice</b>")
    TicketFactory(team=billing, subject="Something else")
    html = agent_client.get("/agent/", {"search": "invoice", "status": "any"}).content.decode()
    assert f'id="ticket-row-{hit.pk}"' in html and "Something else" not in html
    assert "<mark>Invoice</mark> &lt;b&gt;twice&lt;/b&gt;" in html
    empty = agent_client.get("/agent/", {"search": "nothingmatchesthis"}).content.decode()
    assert "No ticket matches" in empty


def test_bulk_bar_changes_selected_tickets_and_all_matching(agent_client, billing):
    a, b, c = (TicketFactory(team=billing, subject=f"Row {n}") for n in range(3))
    response = agent_client.post(
        "/agent/bulk/", {"ids": [a.pk, b.pk], "action": "priority", "value": "urgent"}
    )
    assert response.status_code == 302
    assert sorted(Ticket.objects.filter(priority="urgent").values_list("pk", flat=True)) == [a.pk, b.pk]
    agent_client.post(
        "/agent/bulk/", {"all_matching": "1", "query": "queue=team", "action": "tags", "value": "wave-1"}
    )
    assert set(Ticket.objects.filter(tags__name="wave-1").values_list("pk", flat=True)) == {a.pk, b.pk, c.pk}
    assert TicketEvent.objects.filter(code="ticket.tagged").count() == 3
    page = agent_client.get("/agent/", follow=True).content.decode()
    assert "Add tags: 3 ticket(s) done." in page


def test_saved_views_become_tabs_and_leads_share_them(agent_client, agent, lead, billing):
    client = Client()
    agent_client.post(
        "/agent/views/", {"name": "Urgent billing", "query": "queue=team&priority=urgent&junk=1"}
    )
    view = SavedView.objects.get(owner=agent)
    assert view.query == "queue=team&priority=urgent"
    assert "Urgent billing" in agent_client.get("/agent/").content.decode()
    client.force_login(lead.user)
    client.post(
        "/agent/views/", {"name": "Team triage", "query": "queue=unassigned", "share_with": billing.pk}
    )
    assert "Team triage" in agent_client.get("/agent/").content.decode()
    # Only leads share, and nobody removes another's view.
    agent_client.post("/agent/views/", {"name": "Sneaky", "query": "", "share_with": billing.pk})
    assert SavedView.objects.get(name="Sneaky").shared_with is None
    shared = SavedView.objects.get(name="Team triage")
    assert agent_client.post(f"/agent/views/{shared.pk}/delete/").status_code == 404


def test_macro_fills_the_reply_box_and_sending_applies_it(agent_client, agent, billing, customer):
    customer.first_name = "Carla"
    customer.save()
    macro = Macro.objects.create(
        name="Waiting",
        body="Hi {{ customer_name }} <script>x</script>",
        set_status="pending",
        add_tags=["waiting"],
    )
    ticket = TicketFactory(team=billing, customer=customer)
    fragment = agent_client.get(
        f"/agent/tickets/{ticket.pk}/macro/", {"macro": macro.pk}, **HTMX
    ).content.decode()
    assert "Hi Carla &lt;script&gt;x&lt;/script&gt;" in fragment and f'value="{macro.pk}"' in fragment
    agent_client.post(
        f"/agent/tickets/{ticket.pk}/action/",
        {"action": "reply", "reply-body": "Hi Carla, edited", "reply-macro": macro.pk},
        **HTMX,
    )
    ticket.refresh_from_db()
    assert ticket.status == Status.PENDING and list(ticket.tags.values_list("name", flat=True)) == ["waiting"]
    assert Message.objects.filter(ticket=ticket, body="Hi Carla, edited").count() == 1
    macro.refresh_from_db()
    assert macro.usage_count == 1


def test_send_and_resolve_with_a_file_and_a_note_with_an_image(agent_client, billing, customer):
    ticket = TicketFactory(team=billing, customer=customer)
    response = agent_client.post(
        f"/agent/tickets/{ticket.pk}/action/",
        {
            "action": "note",
            "note-body": "Screenshot attached",
            "note-attachments": [SimpleUploadedFile("shot.png", PNG)],
        },
        **HTMX,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r'<img src="/attachments/\d+/shot.png"', html)
    agent_client.post(
        f"/agent/tickets/{ticket.pk}/action/",
        {
            "action": "reply_resolve",
            "reply-body": "Here is the invoice",
            "reply-attachments": [SimpleUploadedFile("invoice.pdf", b"%PDF-1.4 test")],
        },
    )
    ticket.refresh_from_db()
    assert ticket.status == Status.RESOLVED
    reply = Message.objects.get(ticket=ticket, body="Here is the invoice")
    assert [a.name for a in reply.attachments.all()] == ["invoice.pdf"]
    bad = agent_client.post(
        f"/agent/tickets/{ticket.pk}/action/",
        {"action": "note", "note-body": "x", "note-attachments": [SimpleUploadedFile("run.exe", b"MZ")]},
        **HTMX,
    )
    assert "has-error" in bad.content.decode() and not Message.objects.filter(body="x").exists()


def test_a_newer_message_warns_once_before_sending(agent_client, billing, customer):
    ticket = TicketFactory(team=billing, customer=customer)
    first = message_add(ticket=ticket, author=customer, body="Hello")
    message_add(ticket=ticket, author=customer, body="Actually, never mind")
    post = {"action": "reply", "reply-body": "On it", "reply-seen": first.pk}
    warned = agent_client.post(f"/agent/tickets/{ticket.pk}/action/", post, **HTMX).content.decode()
    assert "1 new message arrived since you opened the ticket" in warned
    assert not Message.objects.filter(body="On it").exists()
    assert 'name="reply-confirm_newer" value="on"' in warned  # sending again goes through
    agent_client.post(f"/agent/tickets/{ticket.pk}/action/", {**post, "reply-confirm_newer": "on"}, **HTMX)
    assert Message.objects.filter(body="On it").exists()


def test_tags_links_merge_and_follow_from_the_ticket_page(agent_client, agent, billing, customer):
    ticket = TicketFactory(team=billing, customer=customer)
    other = TicketFactory(team=billing, customer=customer)
    url = f"/agent/tickets/{ticket.pk}/action/"
    agent_client.post(url, {"action": "tags", "tags-tags": "Refund, vip"}, **HTMX)
    assert sorted(ticket.tags.values_list("name", flat=True)) == ["refund", "vip"]
    agent_client.post(url, {"action": "link", "link-kind": "duplicate", "link-target": other.pk}, **HTMX)
    assert "Duplicate of" in agent_client.get(f"/agent/tickets/{ticket.pk}/").content.decode()
    agent_client.post(url, {"action": "follow", "follow": "1"}, **HTMX)
    assert ticket.followers.filter(pk=agent.user.pk).exists()
    response = agent_client.post(url, {"action": "merge", "merge-into": other.pk})
    assert response.status_code == 302 and response.url == f"/agent/tickets/{other.pk}/"
    # The old number leads to the ticket it was merged into.
    old = agent_client.get(f"/agent/tickets/{ticket.pk}/")
    assert old.status_code == 302 and old.url == f"/agent/tickets/{other.pk}/"


def test_the_customer_panel_shows_the_accounts_computed_health(agent_client, billing, customer):
    organization = customer.customer.organization
    organization.health_score, organization.at_risk = 42.4, True
    organization.usage_metrics = {"active_users": 673}  # an old hand-typed blob: not shown as a fact
    organization.save()
    ticket = TicketFactory(team=billing, customer=customer, organization=organization)
    html = agent_client.get(f"/agent/tickets/{ticket.pk}/").content.decode()
    assert "42/100 — at risk" in html
    assert "673" not in html
