"""The demo's credentials are random and printed once; the demo never lands on real data or production."""

from __future__ import annotations

import hashlib
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from rest_framework.authtoken.models import Token

from helpdesk.management.commands.start import Command as Start
from helpdesk.management.commands.start import own_address
from helpdesk.management.demo.credentials import parse_printed
from helpdesk.models import Team, Ticket
from tests.factories import TicketFactory

pytestmark = pytest.mark.django_db


def authenticate(*, username: str, password: str):
    """The user when the password is theirs (what the sign-in form checks, without its lockout)."""
    user = get_user_model().objects.filter(username=username).first()
    return user if user is not None and user.check_password(password) else None


def seed(**options) -> str:
    out = io.StringIO()
    call_command("seed_demo", tickets=0, stdout=out, **options)
    return out.getvalue()


def test_seeding_prints_random_passwords_and_tokens_that_work_once(client):
    printed = parse_printed(seed())
    assert printed.admin_password and printed.shared_password
    assert printed.admin_password != printed.shared_password
    assert "demo" not in (printed.admin_password, printed.shared_password)
    assert authenticate(username="admin", password=printed.admin_password)
    assert authenticate(username="admin", password="demo") is None
    assert authenticate(username="lead", password=printed.shared_password)
    assert authenticate(username="maria.schmidt@quantumlabs.example", password=printed.shared_password)
    assert authenticate(username="admin", password=printed.shared_password) is None

    # The tokens are random, not a hash of something in the source, and they work.
    assert set(printed.tokens) == {"admin", "integration"}
    for username, key in printed.tokens.items():
        assert key != hashlib.sha1(f"helpdesk-demo-42-{username}".encode()).hexdigest()
        response = client.get("/api/tickets/", HTTP_AUTHORIZATION=f"Token {key}")
        assert response.status_code == 200, username

    # A second seeding keeps the accounts and their secrets, and prints none of them again.
    again = seed()
    assert parse_printed(again).admin_password == "" and parse_printed(again).tokens == {}
    assert authenticate(username="admin", password=printed.admin_password)
    assert Token.objects.get(user__username="admin").key == printed.tokens["admin"]


def test_every_fresh_seeding_draws_new_secrets():
    first = parse_printed(seed())
    get_user_model().objects.all().delete()
    second = parse_printed(seed())
    assert first.admin_password != second.admin_password
    assert first.shared_password != second.shared_password
    assert first.tokens["admin"] != second.tokens["admin"]


def test_seed_demo_refuses_a_database_with_real_tickets():
    TicketFactory(subject="A real customer's problem")
    with pytest.raises(CommandError, match=r"already holds 1 real ticket"):
        seed()
    assert not get_user_model().objects.filter(username="admin").exists()
    assert Ticket.objects.count() == 1


def test_seed_demo_runs_again_over_its_own_tickets():
    call_command("seed_demo", tickets=30, stdout=io.StringIO())
    call_command("seed_demo", tickets=30, stdout=io.StringIO())
    assert Ticket.objects.count() == 30


def start_seeding(**options) -> str:
    command = Start(stdout=io.StringIO())
    command._seed(**{"demo": False, "no_seed": False, **options})
    return command.stdout._out.getvalue()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the embedded default is SQLite")
def test_start_seeds_an_empty_embedded_database_for_the_two_command_demo():
    assert "Admin password:" in start_seeding()
    assert Team.objects.exists()


def test_start_with_no_seed_leaves_an_empty_database_empty():
    start_seeding(no_seed=True)
    assert not Team.objects.exists()


@pytest.mark.postgres
def test_start_never_seeds_postgresql_unless_asked():
    said = start_seeding()
    assert not Team.objects.exists()
    assert "--demo" in said and "createsuperuser" in said
    assert "Admin password:" in start_seeding(demo=True)
    assert Team.objects.exists()


def test_links_in_emails_start_where_the_server_listens():
    assert own_address("127.0.0.1", 8123) == "http://127.0.0.1:8123"
    assert own_address("help.example.com", 443) == "https://help.example.com"
    assert own_address("0.0.0.0", 8000) is None  # every interface: only the operator knows the public name


def test_the_demo_agent_and_the_demo_customer_are_two_different_people():
    call_command("seed_demo", tickets=0, stdout=io.StringIO())
    users = get_user_model().objects
    agent, customer = users.get(username="maria"), users.get(username="maria.schmidt@quantumlabs.example")
    assert agent.get_full_name() != customer.get_full_name()
