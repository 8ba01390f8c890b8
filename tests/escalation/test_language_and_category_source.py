"""What GET /api/tickets/{id}/ tells about language and the category's source, set the way tickets
really arrive: the portal form, the API, a rule, an agent; and language skills then decide who gets it."""

from __future__ import annotations

import pytest

from escalation.models import EscalationRule
from helpdesk.models import CategorySource
from helpdesk.services import ticket_set_category
from tests.factories import AgentFactory, CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db

FRENCH = (
    "Impossible de télécharger la facture",
    "Bonjour, depuis hier je ne peux plus télécharger nos factures du mois dernier. Pouvez-vous m'aider ?",
)
ENGLISH = (
    "Invoice download",
    "Hello, since yesterday I cannot download last month's invoices. Can you help?",
)


@pytest.fixture
def integration(api, staff_user):
    api.force_authenticate(staff_user)
    return api


def _post(api, run_tasks, subject, body, **extra):
    with run_tasks():
        created = api.post(
            "/api/tickets/",
            {"subject": subject, "body": body, "customer_email": "amelie@client.test", **extra},
            format="json",
        )
    assert created.status_code == 201, created.content
    return api.get(f"/api/tickets/{created.json()['id']}/").json()


def test_the_customers_category_choice_is_theirs(integration, run_tasks, categories):
    shown = _post(integration, run_tasks, *ENGLISH, category="Billing dispute")
    assert shown["category"] == "Billing dispute" and shown["category_source"] == "customer"
    assert shown["language"] == "en"


def test_triage_sets_the_category_as_the_model(integration, run_tasks, categories):
    shown = _post(integration, run_tasks, "Refund", "Could I get my money back for the duplicate order?")
    assert shown["category"] == "Refund request" and shown["category_source"] == "model"


def test_a_rule_can_set_the_category(integration, run_tasks, categories):
    EscalationRule.objects.create(
        name="Phishing reports are security incidents",
        order=5,
        conditions={"field": "text", "op": "contains_any", "value": ["phishing mail"]},
        actions=[{"type": "set_category", "category": "Security incident"}],
    )
    shown = _post(integration, run_tasks, "Strange mail", "We received a phishing mail asking for the card.")
    assert shown["category"] == "Security incident" and shown["category_source"] == "rule"


def test_an_agent_recategorises_and_routing_keeps_their_choice(integration, run_tasks, categories, customer):
    shown = _post(integration, run_tasks, *ENGLISH)
    from helpdesk.models import Ticket
    from helpdesk.services import message_add

    ticket = Ticket.objects.get(pk=shown["id"])
    with run_tasks():
        ticket_set_category(
            ticket=ticket, category=categories["Bug report"], actor=None, reason="It's a bug."
        )
        message_add(ticket=ticket, author=ticket.customer, body="I want a refund, money back please.")
    shown = integration.get(f"/api/tickets/{ticket.pk}/").json()
    assert shown["category"] == "Bug report" and shown["category_source"] == "agent"
    assert ticket.events.filter(code="ticket.category_changed", details__source=CategorySource.AGENT).exists()


def test_the_customers_profile_language_reaches_the_ticket(integration, run_tasks, billing, tier1):
    CustomerFactory(
        user=UserFactory(username="amelie@client.test", email="amelie@client.test"), language="fr"
    )
    shown = _post(integration, run_tasks, *ENGLISH)
    assert shown["language"] == "fr"


def test_the_language_is_detected_from_the_text_and_recorded_with_its_source(integration, run_tasks):
    from helpdesk.models import Ticket

    shown = _post(integration, run_tasks, *FRENCH)
    assert shown["language"] == "fr"
    assert Ticket.objects.get(pk=shown["id"]).metadata["language"]["source"] == "text"


def test_a_language_stated_through_the_api_wins(integration, run_tasks):
    shown = _post(integration, run_tasks, *FRENCH, language="de-AT")
    assert shown["language"] == "de"


def test_short_acronym_text_is_not_guessed(integration, run_tasks):
    shown = _post(integration, run_tasks, "Okta SSO", "SAML SSO API")
    assert shown["language"] == "en"


def test_the_portals_language_counts_when_the_text_says_nothing(client, customer, billing):
    client.force_login(customer)
    response = client.post(
        "/portal/tickets/new/",
        {"subject": "VPN", "body": "VPN SSO MFA"},
        HTTP_ACCEPT_LANGUAGE="es-ES,es;q=0.9",
    )
    assert response.status_code == 302
    ticket = customer.tickets.get()
    assert ticket.language == "es" and ticket.metadata["language"]["source"] == "portal"


def test_a_french_ticket_goes_to_the_agent_who_speaks_french(
    integration, run_tasks, billing, tier1, categories
):
    AgentFactory(user=UserFactory(username="ed"), tier=tier1, teams=[billing], languages=["en"], capacity=9)
    AgentFactory(
        user=UserFactory(username="flo"), tier=tier1, teams=[billing], languages=["en", "fr"], capacity=2
    )
    shown = _post(integration, run_tasks, *FRENCH, category="Refund request")
    assert shown["assignee"] == "flo"
    decision = integration.get(f"/api/tickets/{shown['id']}/routing/").json()[0]
    excluded = {c["agent"]: c["excluded_reason"] for c in decision["candidates"]}
    assert excluded["ed"] == "does not speak fr"
