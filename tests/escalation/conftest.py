"""Fixtures for the escalation tests.

Routing: the demo-like teams, skills and categories the default rules speak about.
SLA: tickets created the way customers create them, and sweeps whose after-commit work (routing, SLA
bookkeeping, e-mail) runs inline as it would in the worker.
"""

from __future__ import annotations

import datetime as dt

import pytest

from escalation.models import EscalationRule, PriorityThreshold, RoutingConfig, ScoringFactor
from escalation.routing.defaults import install_defaults
from escalation.sla.sweep import sweep_sla
from helpdesk.models import Role
from helpdesk.services import ticket_create
from tests.factories import AgentFactory, CategoryFactory, SkillFactory, TeamFactory, UserFactory


@pytest.fixture(autouse=True)
def routing_defaults(request):
    """The default policy from the data migration, back in place if a transactional test flushed it."""
    uses_db = "db" in request.fixturenames or request.node.get_closest_marker("django_db")
    if not uses_db or "transactional_db" in request.fixturenames:
        return
    request.getfixturevalue("db")
    install_defaults(
        rule_model=EscalationRule,
        factor_model=ScoringFactor,
        threshold_model=PriorityThreshold,
        config_model=RoutingConfig,
    )


@pytest.fixture
def security(db):
    return TeamFactory(name="Security")


@pytest.fixture
def product(db):
    return TeamFactory(name="Product")


@pytest.fixture
def skills(db):
    names = ["payments", "refunds", "security", "difficult-conversations", "api"]
    return {name: SkillFactory(name=name) for name in names}


@pytest.fixture
def categories(billing, technical, security, product, skills):
    """A few of the demo categories, with the keywords the fallback triage matches."""
    specs = {
        "Billing dispute": (billing, ["payments"], ["dispute", "disputed", "charged twice", "overcharged"]),
        "Refund request": (billing, [], ["refund", "money back"]),
        "API & integrations": (technical, ["api"], ["api", "webhook"]),
        "Security incident": (security, ["security"], ["breach", "unauthorized access", "phishing"]),
        "Bug report": (product, [], ["bug", "crash", "broken"]),
    }
    made = {}
    for name, (team, required, keywords) in specs.items():
        category = CategoryFactory(name=name, team=team, keywords=keywords)
        category.required_skills.set([skills[s] for s in required])
        made[name] = category
    return made


@pytest.fixture
def coordinator(billing, technical, tier2):
    """A team lead configured as the coordinator for tickets that bounce between teams."""
    agent = AgentFactory(
        user=UserFactory(username="cora"), tier=tier2, role=Role.LEAD, teams=[billing, technical]
    )
    config = RoutingConfig.load()
    config.coordinator = agent
    config.save()
    return agent


@pytest.fixture
def submit(customer, django_capture_on_commit_callbacks):
    """Create a ticket the way the portal does and run the background routing it triggers."""

    def _submit(subject: str, body: str, *, by=None, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            ticket = ticket_create(customer=by or customer, subject=subject, body=body, **kwargs)
        ticket.refresh_from_db()
        return ticket

    return _submit


@pytest.fixture
def run_tasks(django_capture_on_commit_callbacks):
    """Run a block's on-commit background tasks (django-q2 runs them inline in tests)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


# A Monday morning, so business-hours tests start inside opening hours.
MONDAY_9AM = dt.datetime(2025, 3, 3, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run a callable and then its on-commit callbacks (django-q2 runs in sync mode in tests)."""

    def run(action, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return action(*args, **kwargs)

    return run


@pytest.fixture
def sweep(committed):
    def run(**kwargs):
        return committed(sweep_sla, **kwargs)

    return run


@pytest.fixture
def refund(billing):
    return CategoryFactory(name="Refund request", team=billing)


@pytest.fixture
def new_ticket(customer, refund, committed):
    """A Billing ticket from the portal, routed and SLA-tracked as in production."""

    def create(**kwargs):
        kwargs.setdefault("category", refund)
        ticket = committed(
            ticket_create, customer=customer, subject="Refund please", body="Charged twice.", **kwargs
        )
        ticket.refresh_from_db()
        return ticket

    return create


@pytest.fixture
def clock(time_machine):
    """The frozen wall clock, starting on a Monday at 09:00 UTC."""
    time_machine.move_to(MONDAY_9AM, tick=False)
    return time_machine
