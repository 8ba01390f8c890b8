"""A superuser made with createsuperuser on a fresh install works as a lead: agent pages and analytics."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from helpdesk.models import Agent, Role
from tests.factories import TicketFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_fresh_superuser_opens_the_agent_workspace_and_analytics(client, monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a-long-unguessable-passphrase")
    call_command("createsuperuser", interactive=False, username="root", email="root@example.test")
    signed_in = client.post(
        "/accounts/login/", {"username": "root", "password": "a-long-unguessable-passphrase"}
    )
    assert signed_in.status_code == 302

    assert client.get("/").url == "/agent/"
    assert client.get("/agent/").status_code == 200
    assert client.get("/analytics/").status_code == 200

    agent = Agent.objects.get(user__username="root")
    assert agent.role == Role.ADMIN and agent.sees_all_tickets
    assert agent.status == "offline" and not agent.teams.exists()  # routing hands it nothing


def test_the_admin_profile_sees_every_team_s_tickets(client, billing, technical, tier1):
    ticket = TicketFactory(team=technical, subject="Printer on fire")
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    assert client.get(f"/agent/tickets/{ticket.pk}/").status_code == 200
    assert Agent.objects.count() == 1  # made once, on the first page


def test_staff_without_superuser_still_gets_no_agent_workspace(client, staff_user):
    client.force_login(staff_user)
    assert client.get("/agent/").status_code == 403
    assert not Agent.objects.exists()
