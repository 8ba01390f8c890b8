"""Finding the customer behind a ticket by e-mail, and the cache that keeps returning customers
(helpdesk.services.customers): never an answer that a change committed in the same process replaced,
and one from another process only until the generation is read again."""

from __future__ import annotations

import pytest
from django.contrib.auth.signals import user_logged_in
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from helpdesk.services import customer_get_or_create, customers, ticket_create
from helpdesk.services.customers import GENERATION_KEY
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db(transaction=True)  # only committed customers are kept


@pytest.fixture
def cached(settings, monkeypatch):
    settings.CUSTOMER_CACHE_SECONDS = 600
    monkeypatch.setattr(customers, "_kept", {})
    monkeypatch.setattr(customers, "_generation_read", [])
    cache.clear()
    yield
    cache.clear()


def _lookup(email: str):
    with CaptureQueriesContext(connection) as queries:
        user = customer_get_or_create(email=email)
    return user, len(queries)


def test_a_returning_customer_comes_from_the_cache_with_their_organization(cached, customer):
    first, read = _lookup("Carla@Acme.test")
    again, from_cache = _lookup("carla@acme.test")

    assert (read, from_cache) == (1, 0)
    assert again == first == customer
    assert (again.email, again.customer.organization) == (customer.email, customer.customer.organization)
    ticket = ticket_create(customer=again, subject="Export fails", body="It times out.")
    ticket.refresh_from_db()
    assert (ticket.customer, ticket.organization) == (customer, customer.customer.organization)
    assert ticket.organization.segment == customer.customer.organization.segment


def test_a_committed_change_to_the_customer_is_seen_at_once(
    cached, customer, django_capture_on_commit_callbacks
):
    _lookup(customer.email)
    moved_to = OrganizationFactory(name="Globex")
    with django_capture_on_commit_callbacks(execute=True):
        profile = customer.customer
        profile.organization = moved_to
        profile.save()

    user, queries = _lookup(customer.email)

    assert queries == 1
    assert user.customer.organization == moved_to


def test_a_renamed_organization_and_a_changed_email_are_seen_at_once(
    cached, customer, django_capture_on_commit_callbacks
):
    _lookup(customer.email)
    with django_capture_on_commit_callbacks(execute=True):
        organization = customer.customer.organization
        organization.name = "Acme Holdings"
        organization.save()
    assert _lookup(customer.email)[0].customer.organization.name == "Acme Holdings"

    with django_capture_on_commit_callbacks(execute=True):
        customer.email = "carla@acme-holdings.test"
        customer.save()
    assert _lookup("carla@acme-holdings.test")[0] == customer


def test_logins_leave_the_cache_alone_and_a_lost_generation_reads_the_database(
    cached, customer, rf, django_capture_on_commit_callbacks, monkeypatch
):
    _lookup(customer.email)
    with django_capture_on_commit_callbacks(execute=True):
        user_logged_in.send(sender=type(customer), request=rf.get("/"), user=customer)
    assert _lookup(customer.email)[1] == 0

    cache.delete(GENERATION_KEY)  # evicted: what was kept before can no longer be trusted
    monkeypatch.setattr(customers, "GENERATION_RECHECK_SECONDS", 0)
    assert _lookup(customer.email)[1] == 1
    assert _lookup(customer.email)[1] == 0


def test_another_process_s_change_is_seen_once_the_generation_is_read_again(cached, customer, monkeypatch):
    _lookup(customer.email)
    cache.incr(GENERATION_KEY)  # what another process does when it commits a change
    assert _lookup(customer.email)[1] == 0  # within GENERATION_RECHECK_SECONDS

    monkeypatch.setattr(customers, "GENERATION_RECHECK_SECONDS", 0)
    assert _lookup(customer.email)[1] == 1


def test_a_customer_read_inside_a_transaction_is_not_kept(cached, customer):
    with transaction.atomic():  # it could still roll back, with the customer created in it
        assert [_lookup(customer.email)[1] for _ in range(2)] == [1, 1]
