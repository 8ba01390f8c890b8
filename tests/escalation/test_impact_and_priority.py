"""Business impact and complexity through the API; the priority level following the score (triage's
prediction, the SLA sweep) with an event and new due times; escalations never pushing a running deadline
out; a customer's category kept unless the model is confident."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from escalation.models import RoutingConfig
from escalation.sla.defaults import seed_sla_defaults
from helpdesk.models import Priority, Segment, Ticket
from helpdesk.services import message_add
from tests.escalation.conftest import MONDAY_9AM
from tests.escalation.history import train_history
from tests.factories import AgentFactory, CustomerFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def integration(api, staff_user):
    api.force_authenticate(staff_user)
    return api


def _post(api, run_tasks, subject, body, email="it@client.test", **extra):
    with run_tasks():
        created = api.post(
            "/api/tickets/",
            {"subject": subject, "body": body, "customer_email": email, **extra},
            format="json",
        )
    assert created.status_code == 201, created.content
    return api.get(f"/api/tickets/{created.json()['id']}/").json()


def test_an_outage_for_all_users_is_urgent_with_the_urgent_sla(
    integration, run_tasks, clock, tier1, categories
):
    seed_sla_defaults()
    routine = _post(integration, run_tasks, "SSO question", "How do I add a user to SSO?")
    outage = _post(integration, run_tasks, "SSO down", "SSO fails for all 40 users. Production blocked!")

    assert routine["priority"] in ("low", "normal")
    assert outage["priority"] == "urgent"
    assert outage["sla"]["first_response_due"] == "2025-03-03T09:15:00Z"  # urgent: 15 min around the clock
    decision = integration.get(f"/api/tickets/{outage['id']}/routing/").json()[0]
    impact = next(f for f in decision["factors"] if f["name"] == "business_impact")
    assert impact["value"] == "urgent" and "outage + scope" in impact["detail"]
    assert "Business impact" in decision["explanation"]


@pytest.mark.parametrize(
    "body",
    [
        "We lost all our data after the import.",
        "Customer records were exposed to another tenant.",
        "We cannot invoice our customers since the update.",
    ],
)
def test_each_kind_of_business_impact_lifts_the_priority(integration, run_tasks, categories, body):
    assert _post(integration, run_tasks, "Problem", body)["priority"] in ("high", "urgent")


def test_the_seed_example_from_an_enterprise_customer_goes_straight_to_tier_2_technical(
    integration, run_tasks, technical, tier1, tier2, categories
):
    AgentFactory(
        tier=tier1, teams=[technical], skills={categories["API & integrations"].required_skills.get(): 3}
    )
    specialist = AgentFactory(
        user=UserFactory(username="tess"),
        tier=tier2,
        teams=[technical],
        skills={categories["API & integrations"].required_skills.get(): 5},
    )
    enterprise = OrganizationFactory(
        name="Globex", segment=Segment.ENTERPRISE, annual_contract_value=Decimal(240000)
    )
    CustomerFactory(
        user=UserFactory(username="ops@globex.test", email="ops@globex.test"), organization=enterprise
    )

    shown = _post(
        integration,
        run_tasks,
        "API timeouts",
        "We see intermittent API timeouts affecting our production environment during peak hours.",
        email="ops@globex.test",
    )

    assert (
        shown["team"] == "Technical" and shown["tier"] == 2 and shown["assignee"] == specialist.user.username
    )
    decision = integration.get(f"/api/tickets/{shown['id']}/routing/").json()[0]
    assert "Complex problem (intermittent, under load, production" in decision["explanation"]


def test_the_models_confident_priority_is_applied(tier1, submit):
    categories = train_history()
    AgentFactory(tier=tier1, teams=[categories["API & integrations"].team])

    ticket = submit("api timeout", "hello api endpoint timeout latency server")

    assert ticket.priority == Priority.HIGH  # history: Technical tickets are high
    factor = next(f for f in ticket.routing_decisions.first().factors if f["name"] == "predicted_priority")
    assert factor["value"] == "high" and "the model predicts high" in factor["detail"]


def test_the_sla_sweep_raises_the_level_with_the_score(clock, submit, sweep, refund, tier1, integration):
    organization = OrganizationFactory(
        segment=Segment.ENTERPRISE,
        annual_contract_value=Decimal(250000),
        renewal_date=(MONDAY_9AM + dt.timedelta(days=30)).date(),
        churn_risk=0.1,
    )
    customer = CustomerFactory(organization=organization).user
    ticket = submit("Refund please", "Charged twice.", by=customer, category=refund)
    assert ticket.priority == Priority.NORMAL and ticket.priority_score < 45

    clock.move_to(MONDAY_9AM + dt.timedelta(hours=30), tick=False)
    sweep()

    shown = integration.get(f"/api/tickets/{ticket.pk}/").json()
    assert shown["priority_score"] >= 45 and shown["priority"] == "high"
    event = Ticket.objects.get(pk=ticket.pk).events.get(code="ticket.priority_changed", trigger="sla")
    assert (event.from_value, event.to_value) == (
        "normal",
        "high",
    ) and "reached the high threshold" in event.reason


def test_an_escalation_never_pushes_a_running_deadline_out(
    clock, integration, run_tasks, billing, tier1, tier2, refund
):
    seed_sla_defaults()
    agent = AgentFactory(tier=tier1, teams=[billing])
    AgentFactory(tier=tier2, teams=[billing])
    shown = _post(
        integration, run_tasks, "Refund", "Please refund the duplicate charge.", category="Refund request"
    )
    before = shown["sla"]
    assert shown["tier"] == 1 and before["first_response_due"] == "2025-03-03T09:30:00Z"

    clock.move_to(MONDAY_9AM + dt.timedelta(minutes=10), tick=False)
    integration.force_authenticate(agent.user)
    with run_tasks():
        response = integration.post(
            f"/api/tickets/{shown['id']}/escalate/", {"kind": "hierarchical", "reason": "Needs a specialist."}
        )
    assert response.status_code == 200, response.content
    after = integration.get(f"/api/tickets/{shown['id']}/").json()
    assert after["tier"] == 2  # tier 2 targets: 120 business minutes, 3 business days
    assert after["sla"]["first_response_due"] == before["first_response_due"]
    assert after["sla"]["resolution_due"] == before["resolution_due"]


@pytest.fixture
def chosen(tier1, submit, customer):
    """A customer who filed a password problem under "Invoice question" in the portal, then wrote again."""
    categories = train_history()
    for category in categories.values():
        AgentFactory(tier=tier1, teams=[category.team], capacity=20)

    def write(threshold):
        RoutingConfig.objects.update(category_override_confidence=threshold)
        ticket = submit(
            "Question", "Hello, a question about my account please.", category=categories["Invoice question"]
        )
        message_add(
            ticket=ticket, author=customer, body="I forgot my password, please send a reset link to sign in"
        )
        return ticket

    return write


def test_the_customers_category_is_kept_when_the_model_is_not_confident_enough(chosen, run_tasks):
    with run_tasks():
        ticket = chosen(0.999)
    ticket.refresh_from_db()
    assert ticket.category.name == "Invoice question" and ticket.category_source == "customer"
    decision = ticket.routing_decisions.first()
    assert decision.trigger == "customer_wrote"
    assert decision.triage["category_suggestion"]["category"] == "Password reset"
    assert "the customer's choice Invoice question is kept" in decision.explanation


def test_a_confident_model_replaces_it_and_says_so(chosen, run_tasks):
    with run_tasks():
        ticket = chosen(0.5)
    ticket.refresh_from_db()
    assert ticket.category.name == "Password reset" and ticket.category_source == "model"
    event = ticket.events.get(code="ticket.category_changed")
    assert event.trigger == "model" and "replaces the customer's choice Invoice question" in event.reason
    assert event.details["suggestion"]["confidence"] >= 0.5
