"""Every cell of the permission matrix (tests/security_matrix.py, rendered as docs/security.md), tried."""

from __future__ import annotations

from pathlib import Path

import pytest
from asgiref.sync import async_to_sync
from django.test import Client
from rest_framework.authtoken.models import Token

from helpdesk.models import Role, Status
from tests.factories import AgentFactory, CustomerFactory, TicketFactory, UserFactory
from tests.helpdesk.live_sockets import open_socket
from tests.security_matrix import CELLS, ROLES, render_markdown

DOC = Path(__file__).resolve().parents[1] / "docs" / "security.md"


def test_the_document_is_rendered_from_the_matrix():
    assert DOC.read_text() == render_markdown()


@pytest.fixture
def cast(billing, technical, tier1, tier2, tier3):
    """One user per role, and the tickets the matrix names."""
    owner = CustomerFactory(user=UserFactory(username="carla@acme.test", email="carla@acme.test"))
    neighbour = CustomerFactory(
        user=UserFactory(username="cleo@acme.test", email="cleo@acme.test"), organization=owner.organization
    )
    users = {
        "anonymous": None,
        "customer": owner.user,
        "same_org": neighbour.user,
        "team_agent": AgentFactory(user=UserFactory(username="ana"), tier=tier1, teams=[billing]).user,
        "other_team": AgentFactory(user=UserFactory(username="otto"), tier=tier1, teams=[technical]).user,
        "tier3_agent": AgentFactory(user=UserFactory(username="xena"), tier=tier3, teams=[billing]).user,
        "lead": AgentFactory(
            user=UserFactory(username="lena"), tier=tier2, role=Role.LEAD, teams=[billing, technical]
        ).user,
        "admin": AgentFactory(
            user=UserFactory(username="root", is_staff=True, is_superuser=True), tier=tier2, role=Role.ADMIN
        ).user,
        "integration": UserFactory(username="crm", is_staff=True),
    }
    tickets = {
        "t": TicketFactory(customer=owner.user, team=billing, tier=tier1, status=Status.OPEN),
        "t3": TicketFactory(customer=owner.user, team=billing, tier=tier3, status=Status.OPEN),
        "r": TicketFactory(customer=owner.user, team=billing, tier=tier1, status=Status.RESOLVED),
    }
    return users, {name: ticket.pk for name, ticket in tickets.items()}


def _outcome(response) -> str:
    code = response.status_code
    if code in (301, 302):
        return "login" if "login" in response["Location"] else "ok"
    if code == 401:
        return "login"
    return {403: "denied", 400: "refused", 404: "hidden"}.get(code, "ok" if code < 300 else f"HTTP {code}")


def _socket(user) -> str:
    async def attempt():
        socket = await open_socket(user)
        connected, _ = await socket.connect()
        await socket.disconnect()
        return "ok" if connected else "login"

    return async_to_sync(attempt)()


HTTP_CELLS = [c for c in CELLS if c.method != "WS"]
SOCKET_CELLS = [c for c in CELLS if c.method == "WS"]


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(ROLES))
@pytest.mark.parametrize("cell", HTTP_CELLS, ids=[f"{c.area}: {c.what}" for c in HTTP_CELLS])
def test_every_cell(cast, cell, role):
    users, tickets = cast
    user = users[role]
    client = Client()
    headers = {}
    if role == "integration" and cell.path.startswith("/api/"):
        headers["HTTP_AUTHORIZATION"] = f"Token {Token.objects.create(user=user).key}"
    elif user is not None:
        client.force_login(user)
    path = cell.path.format(**tickets)
    if cell.method == "GET":
        response = client.get(path, **headers)
    elif cell.path.startswith("/api/"):
        send = client.patch if cell.method == "PATCH" else client.post
        response = send(path, cell.data or {}, content_type="application/json", **headers)
    else:
        response = client.post(path, cell.data or {}, **headers)
    assert _outcome(response) == cell.expect[role], response.content[:300]


# The socket's consumer reads the session from its own database thread: committed data is needed.
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("role", list(ROLES))
@pytest.mark.parametrize("cell", SOCKET_CELLS, ids=[c.what for c in SOCKET_CELLS])
def test_every_socket_cell(cast, cell, role):
    assert _socket(cast[0][role]) == cell.expect[role]
