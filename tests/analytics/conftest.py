"""Fixtures for the analytics tests: categories, a few more agents, and a cache that never leaks
results between tests (topic results are cached by filters and latest event id)."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from helpdesk.models import Autonomy, Role, Segment, Ticket
from tests.analytics.story import Story
from tests.factories import AgentFactory, CategoryFactory, CustomerFactory, OrganizationFactory, UserFactory


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def story():
    return Story()


@pytest.fixture
def invoices(billing):
    return CategoryFactory(name="Invoices", team=billing)


@pytest.fixture
def api_category(technical):
    return CategoryFactory(name="API", team=technical)


@pytest.fixture
def bea(billing, tier1):
    """A second tier-1 Billing agent."""
    return AgentFactory(
        user=UserFactory(username="bea", first_name="Bea", last_name="Berg"), tier=tier1, teams=[billing]
    )


@pytest.fixture
def admin_agent(billing, technical, tier3):
    return AgentFactory(
        user=UserFactory(username="adele"), tier=tier3, role=Role.ADMIN, teams=[billing, technical]
    )


@pytest.fixture
def enterprise_customer(db):
    organization = OrganizationFactory(name="Bigcorp", segment=Segment.ENTERPRISE)
    return CustomerFactory(user=UserFactory(username="erin@bigcorp.test"), organization=organization).user


@pytest.fixture
def lead_client(client, lead):
    client.force_login(lead.user)
    return client


@pytest.fixture
def escalation_history(
    story,
    customer,
    enterprise_customer,
    agent,
    bea,
    outsider,
    lead,
    invoices,
    api_category,
    billing,
    technical,
    tier3,
):
    """Six tickets that pass between teams, tiers and agents (ana, bea: Billing L1; otto: Technical L1;
    lena: lead, L2):

    T1 Invoices: ana -> functional to Technical -> otto, resolved.
    T2 Invoices: ana -> Technical -> otto -> functional back to Billing (ping-pong) -> bea, resolved.
    T3 Invoices: ana -> L2 -> lena -> L3, resolved.
    T4 Invoices: bea, resolved; answered automatically first; abandoned twice in the queue.
    T5 API (enterprise, e-mail): otto, resolved; abandoned once.
    T6 API (enterprise, e-mail): otto; the automatic answer was rejected; the SLA escalated it to L2.
    """
    ana, otto, lena = agent, outsider, lead
    t1 = story.ticket(customer, invoices, hours=0)
    story.assign(t1, ana, 0.5)
    story.escalate(t1, 1, team=technical, actor=ana.user)
    story.assign(t1, otto, 1.5)
    story.resolve(t1, 5)
    t2 = story.ticket(customer, invoices, hours=2)
    story.assign(t2, ana, 2.5)
    story.escalate(t2, 3, team=technical, actor=ana.user)
    story.assign(t2, otto, 3.5)
    story.escalate(t2, 4, team=billing, actor=otto.user)
    story.event(t2, "routing.circular_blocked", 4.2)
    story.assign(t2, bea, 4.5)
    story.resolve(t2, 8)
    t3 = story.ticket(customer, invoices, hours=5)
    story.assign(t3, ana, 5.5)
    story.escalate(t3, 6, actor=ana.user)
    story.assign(t3, lena, 6.5)
    story.escalate(t3, 7, actor=lena.user)
    story.resolve(t3, 10)
    t4 = story.ticket(customer, invoices, hours=8)
    story.event(t4, "automation.replied", 8.1)
    story.event(t4, "sla.abandoned", 8.2)
    story.event(t4, "sla.abandoned", 8.3)
    story.assign(t4, bea, 8.5)
    story.resolve(t4, 9)
    t5 = story.ticket(enterprise_customer, api_category, hours=9, channel="email")
    story.event(t5, "sla.abandoned", 9.2)
    story.assign(t5, otto, 9.5)
    story.resolve(t5, 11)
    t6 = story.ticket(enterprise_customer, api_category, hours=10, channel="email")
    story.event(t6, "automation.replied", 10.1)
    story.event(t6, "automation.rejected", 10.3)
    story.assign(t6, otto, 10.5)
    story.escalate(t6, 12, trigger="sla")
    story.resolve(t6, 14)
    Ticket.objects.filter(pk__in=[t4.pk, t6.pk]).update(autonomy=Autonomy.AUTONOMOUS)
    Ticket.objects.exclude(pk__in=[t4.pk, t6.pk]).update(autonomy=Autonomy.HUMAN)
    return t1, t2, t3, t4, t5, t6
