"""Admin pages, demo data, and the health check."""

from __future__ import annotations

import io

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.urls import reverse

from helpdesk.models import Agent, Category, Organization, Team, Ticket, TicketEvent, Tier
from tests.factories import TicketFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_every_admin_changelist_and_add_page_loads(client, agent):
    TicketFactory()
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    for model in admin.site._registry:
        info = (model._meta.app_label, model._meta.model_name)
        assert client.get(reverse("admin:{}_{}_changelist".format(*info))).status_code == 200, info
        # Read-only models refuse the add page with 403; every other one renders it.
        assert client.get(reverse("admin:{}_{}_add".format(*info))).status_code in (200, 403), info
    ticket = Ticket.objects.first()
    assert client.get(reverse("admin:helpdesk_ticket_change", args=[ticket.pk])).status_code == 200
    assert client.get(reverse("admin:helpdesk_agent_change", args=[agent.pk])).status_code == 200


def test_seed_demo_builds_a_believable_org_deterministically(db):
    call_command("seed_demo", tickets=120, seed=7, stdout=io.StringIO())
    assert Team.objects.count() == 5 and Tier.objects.count() == 3
    assert Agent.objects.count() >= 25 and Organization.objects.count() >= 55
    assert Category.objects.count() >= 10
    assert Ticket.objects.count() == 120
    assert TicketEvent.objects.filter(code__startswith="escalation.").exists()
    first = list(Ticket.objects.order_by("pk").values_list("subject", flat=True)[:20])
    call_command("seed_demo", tickets=120, seed=7, stdout=io.StringIO())
    assert Ticket.objects.count() == 120  # a second run adds nothing
    assert first == list(Ticket.objects.order_by("pk").values_list("subject", flat=True)[:20])


def test_healthz_answers_when_the_database_does(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json()["database"] == "ok"


def test_favicon_requests_find_the_icon(client):
    """Admin pages name no icon, so browsers ask for /favicon.ico; it must not be a 404."""
    response = client.get("/favicon.ico", follow=True)
    assert response.redirect_chain[0][1] == 301
    assert response.status_code == 200 and b"<svg" in b"".join(response.streaming_content)
