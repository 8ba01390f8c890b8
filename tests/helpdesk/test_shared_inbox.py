"""B2B accounts: an organization's admin customer sees its tickets when it shares them — never another
organization's; colleagues copied on a ticket follow it."""

from __future__ import annotations

import pytest

from helpdesk.models import AuthorKind, Message, TicketCc
from helpdesk.permissions import can_view_ticket
from helpdesk.selectors import tickets_visible_to
from helpdesk.services import message_add
from helpdesk.services.ccs import ERR_CC_OTHER_ORGANIZATION, ticket_cc_add
from tests.factories import CustomerFactory, OrganizationFactory, TicketFactory, UserFactory


@pytest.fixture
def acme(db):
    return OrganizationFactory(name="Acme", shared_inbox=True)


@pytest.fixture
def globex(db):
    return OrganizationFactory(name="Globex", shared_inbox=True)


def _customer(org, name, *, admin=False):
    return CustomerFactory(
        user=UserFactory(username=f"{name}@{org.name.lower()}.test", email=f"{name}@{org.name.lower()}.test"),
        organization=org,
        is_admin=admin,
    ).user


def test_an_admin_sees_the_organizations_tickets_but_not_anothers(client, acme, globex):
    boss, worker = _customer(acme, "boss", admin=True), _customer(acme, "worker")
    stranger = _customer(globex, "stranger", admin=True)
    ours, theirs = TicketFactory(customer=worker), TicketFactory(customer=stranger)

    assert can_view_ticket(boss, ours) and not can_view_ticket(boss, theirs)
    assert can_view_ticket(stranger, theirs) and not can_view_ticket(stranger, ours)
    assert set(tickets_visible_to(boss)) == {ours}
    client.force_login(boss)
    home = client.get("/portal/").content.decode()
    assert ours.subject in home and theirs.subject not in home and "Raised by" in home
    assert client.get(f"/portal/tickets/{ours.pk}/").status_code == 200
    assert client.get(f"/portal/tickets/{theirs.pk}/").status_code == 404


def test_colleagues_who_are_not_admins_see_only_their_own(client, acme):
    worker, other = _customer(acme, "worker"), _customer(acme, "other")
    theirs = TicketFactory(customer=other)
    assert not can_view_ticket(worker, theirs)
    assert list(tickets_visible_to(worker)) == []
    client.force_login(worker)
    assert client.get(f"/portal/tickets/{theirs.pk}/").status_code == 404


def test_an_admin_sees_nothing_more_when_the_organization_does_not_share(api, db):
    private = OrganizationFactory(name="Private", shared_inbox=False)
    boss, worker = _customer(private, "boss", admin=True), _customer(private, "worker")
    ticket = TicketFactory(customer=worker)
    assert not can_view_ticket(boss, ticket)
    api.force_authenticate(boss)
    assert api.get(f"/api/tickets/{ticket.pk}/").status_code == 404
    assert api.get("/api/tickets/").json()["count"] == 0


def test_a_copied_colleague_follows_the_ticket_and_may_answer(client, acme):
    requester, colleague = _customer(acme, "req"), _customer(acme, "col")
    ticket = TicketFactory(customer=requester)
    client.force_login(requester)
    page = client.get(f"/portal/tickets/{ticket.pk}/").content.decode()
    assert "col@acme.test" in page  # offered as a colleague to copy
    response = client.post(f"/portal/tickets/{ticket.pk}/cc/", {"user": colleague.pk})
    assert response.status_code == 302
    assert TicketCc.objects.filter(ticket=ticket, email="col@acme.test").exists()
    assert ticket.events.filter(code="ticket.cc_added").exists()

    assert can_view_ticket(colleague, ticket)
    message = message_add(ticket=ticket, author=colleague, body="Adding the invoice number: 42")
    assert message.author_kind == AuthorKind.CUSTOMER

    client.post(f"/portal/tickets/{ticket.pk}/cc/", {"remove": colleague.email})
    assert not TicketCc.objects.filter(ticket=ticket).exists()
    assert not can_view_ticket(colleague, ticket)


def test_someone_copied_on_an_e_mail_follows_the_ticket_in_the_portal(client, acme):
    requester, colleague = _customer(acme, "req"), _customer(acme, "col")
    ticket = TicketFactory(customer=requester)
    TicketCc.objects.create(ticket=ticket, email="COL@acme.test")  # as the e-mail channel records it
    client.force_login(colleague)
    assert client.get(f"/portal/tickets/{ticket.pk}/").status_code == 200
    assert ticket.subject in client.get("/portal/").content.decode()


def test_nobody_from_another_organization_can_be_copied(client, acme, globex):
    requester, outsider = _customer(acme, "req"), _customer(globex, "out")
    ticket = TicketFactory(customer=requester)
    client.force_login(requester)
    page = client.get(f"/portal/tickets/{ticket.pk}/").content.decode()
    assert "out@globex.test" not in page
    response = client.post(f"/portal/tickets/{ticket.pk}/cc/", {"user": outsider.pk})
    assert response.status_code == 400
    with pytest.raises(Exception) as raised:
        ticket_cc_add(ticket=ticket, user=outsider, added_by=requester)
    assert ERR_CC_OTHER_ORGANIZATION in str(raised.value)
    assert not TicketCc.objects.exists()
    assert not Message.objects.filter(ticket=ticket).exists()
