"""factory_boy factories for the core models. Defaults make a valid, routable object."""

from __future__ import annotations

import datetime as dt

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from helpdesk.models import (
    Agent,
    AgentSkill,
    AgentStatus,
    AuthorKind,
    Category,
    Customer,
    Message,
    Organization,
    Role,
    Segment,
    Skill,
    Team,
    Ticket,
    TicketEvent,
    Tier,
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.django.Password("secret-pass-123")


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Org {n}")
    segment = Segment.STANDARD
    annual_contract_value = 10_000
    renewal_date = factory.LazyFunction(lambda: timezone.now().date() + dt.timedelta(days=200))
    churn_risk = 0.1


class CustomerFactory(factory.django.DjangoModelFactory):
    """A customer profile; use `.user` for the login."""

    class Meta:
        model = Customer

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)


class TierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tier
        django_get_or_create = ("level",)

    level = 1
    name = factory.LazyAttribute(
        lambda t: {1: "Frontline", 2: "Specialist", 3: "Expert"}.get(t.level, f"Level {t.level}")
    )
    first_response_minutes = factory.LazyAttribute(lambda t: {1: 30, 2: 120, 3: 480}.get(t.level, 60))
    resolution_minutes = factory.LazyAttribute(lambda t: {1: 1440, 2: 4320, 3: 7200}.get(t.level, 1440))


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Team {n}")


class SkillFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Skill
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"skill-{n}")


class AgentFactory(factory.django.DjangoModelFactory):
    """An available, always-working agent in tier 1. Pass teams=[...] and skills={skill: proficiency}."""

    class Meta:
        model = Agent
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    role = Role.AGENT
    tier = factory.SubFactory(TierFactory)
    capacity = 5
    status = AgentStatus.AVAILABLE
    timezone = "UTC"
    work_start = dt.time(0, 0)
    work_end = dt.time(0, 0)
    work_days = factory.LazyFunction(lambda: [0, 1, 2, 3, 4, 5, 6])

    @factory.post_generation
    def teams(self, create, extracted, **kwargs):
        if create and extracted:
            self.teams.set(extracted)

    @factory.post_generation
    def skills(self, create, extracted, **kwargs):
        if create and extracted:
            for skill, proficiency in extracted.items():
                AgentSkill.objects.create(agent=self, skill=skill, proficiency=proficiency)


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Category {n}")


class TicketFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Ticket

    subject = factory.Sequence(lambda n: f"Problem number {n}")
    body = "Something does not work as expected."
    customer = factory.LazyAttribute(lambda t: CustomerFactory().user)
    organization = factory.LazyAttribute(
        lambda t: getattr(getattr(t.customer, "customer", None), "organization", None)
    )
    tier = factory.SubFactory(TierFactory)


class MessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Message

    ticket = factory.SubFactory(TicketFactory)
    author = factory.LazyAttribute(lambda m: m.ticket.customer)
    author_kind = AuthorKind.CUSTOMER
    body = "More details."


class TicketEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TicketEvent

    ticket = factory.SubFactory(TicketFactory)
    code = "ticket.created"


# --- SLA (escalation app) -----------------------------------------------------------------------


class BusinessCalendarFactory(factory.django.DjangoModelFactory):
    """Monday to Friday 09:00-17:00 in the given time zone; pass periods=[(weekday, opens, closes)]."""

    class Meta:
        model = "escalation.BusinessCalendar"
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Calendar {n}")
    timezone = "Europe/Berlin"

    @factory.post_generation
    def periods(self, create, extracted, **kwargs):
        if not create:
            return
        for weekday, opens, closes in extracted or [(d, dt.time(9), dt.time(17)) for d in range(5)]:
            self.periods.create(weekday=weekday, opens=opens, closes=closes)


class SlaPolicyFactory(factory.django.DjangoModelFactory):
    """A 24/7 policy matching everything unless told otherwise. The open-age and abandoned triggers are
    off unless a test switches them on, so each test sees only the trigger it is about."""

    class Meta:
        model = "escalation.SlaPolicy"

    name = factory.Sequence(lambda n: f"Policy {n}")
    first_response_minutes = 60
    next_reply_minutes = 120
    resolution_minutes = 8 * 60
    open_age_hours = None
    abandoned_hours = None
