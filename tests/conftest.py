"""The named cast shared by all tests: tiers, two teams, agents with different reach, two customers."""

from __future__ import annotations

import pytest
from django.db import connection
from rest_framework.test import APIClient

from helpdesk.models import Role
from tests.factories import AgentFactory, CustomerFactory, TeamFactory, TierFactory, UserFactory


def pytest_collection_modifyitems(config, items):
    """Tests marked `postgres` need PostgreSQL's locking; they skip on SQLite."""
    if connection.vendor != "postgresql":
        skip = pytest.mark.skip(reason="needs PostgreSQL (run with DATABASE_URL=postgres://...)")
        for item in items:
            if "postgres" in item.keywords:
                item.add_marker(skip)


@pytest.fixture
def tier1(db):
    return TierFactory(level=1)


@pytest.fixture
def tier2(db):
    return TierFactory(level=2)


@pytest.fixture
def tier3(db):
    return TierFactory(level=3)


@pytest.fixture
def billing(db):
    return TeamFactory(name="Billing")


@pytest.fixture
def technical(db):
    return TeamFactory(name="Technical")


@pytest.fixture
def agent(billing, tier1):
    """A tier-1 Billing agent."""
    return AgentFactory(user=UserFactory(username="ana"), tier=tier1, teams=[billing])


@pytest.fixture
def outsider(technical, tier1):
    """A tier-1 Technical agent: no access to Billing tickets."""
    return AgentFactory(user=UserFactory(username="otto"), tier=tier1, teams=[technical])


@pytest.fixture
def lead(billing, technical, tier2):
    """A tier-2 team lead who sees every queue."""
    return AgentFactory(
        user=UserFactory(username="lena"), tier=tier2, role=Role.LEAD, teams=[billing, technical]
    )


@pytest.fixture
def customer(db):
    return CustomerFactory(user=UserFactory(username="carla@acme.test", email="carla@acme.test")).user


@pytest.fixture
def other_customer(db):
    return CustomerFactory(user=UserFactory(username="olga@other.test", email="olga@other.test")).user


@pytest.fixture
def staff_user(db):
    """An integration account: Django staff without an agent profile."""
    return UserFactory(username="integration", is_staff=True)


def _client_for(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def customer_client(client, customer):
    return _client_for(client, customer)


@pytest.fixture
def agent_client(client, agent):
    return _client_for(client, agent.user)


@pytest.fixture
def api():
    """An unauthenticated API client; call api.force_authenticate(user) to sign in."""
    return APIClient()
