"""Hand-made ticket histories, written through the real services at chosen moments (time-machine), so
the metrics are tested against exactly what the services record."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.contrib.auth.models import AbstractBaseUser

from analytics.filters import Filters
from helpdesk.events import event_record
from helpdesk.models import Agent, Category, Csat, Team, Ticket, Tier, Trigger
from helpdesk.services import (
    csat_submit,
    message_add,
    ticket_assign,
    ticket_create,
    ticket_escalate,
    ticket_reopen,
    ticket_resolve,
)

# Monday 3 March 2025, 09:00 UTC: hour 0 of every story.
START = dt.datetime(2025, 3, 3, 9, 0, tzinfo=dt.UTC)
FIRST_DAY, LAST_DAY = dt.date(2025, 3, 3), dt.date(2025, 3, 16)


def two_weeks(**narrowing) -> Filters:
    """Tickets created 3-16 March 2025: 'this week' is 10-16 March, the week before 3-9 March."""
    return Filters(since=FIRST_DAY, until=LAST_DAY, **narrowing)


class Story:
    def __init__(self, start: dt.datetime = START):
        self.start = start

    def at(self, hours: float) -> dt.datetime:
        return self.start + dt.timedelta(hours=hours)

    def _travel(self, hours: float):
        return time_machine.travel(self.at(hours), tick=False)

    def ticket(
        self,
        customer: AbstractBaseUser,
        category: Category,
        *,
        hours: float = 0,
        channel: str = "portal",
        subject: str = "Something is wrong",
        body: str = "Please help.",
    ) -> Ticket:
        """A new ticket in its category's team at the lowest tier, as routing would place it."""
        with self._travel(hours):
            ticket = ticket_create(
                customer=customer,
                subject=subject,
                body=body,
                channel=channel,
                category=category,
                created_at=self.at(hours),
            )
        Ticket.objects.filter(pk=ticket.pk).update(tier=Tier.objects.order_by("level").first())
        return ticket

    def assign(self, ticket: Ticket, agent: Agent, hours: float) -> None:
        with self._travel(hours):
            ticket_assign(ticket=ticket, agent=agent, actor=None, trigger=Trigger.ROUTING)

    def reply(self, ticket: Ticket, agent: Agent, hours: float) -> None:
        with self._travel(hours):
            message_add(ticket=ticket, author=agent.user, body="Looking into it.")

    def escalate(
        self,
        ticket: Ticket,
        hours: float,
        *,
        team: Team | None = None,
        tier: Tier | None = None,
        trigger: str = Trigger.MANUAL,
        actor: AbstractBaseUser | None = None,
    ) -> None:
        """Functional when a team is given, hierarchical (to the next tier) otherwise."""
        kind = "functional" if team is not None else "hierarchical"
        with self._travel(hours):
            ticket_escalate(
                ticket=ticket,
                kind=kind,
                actor=actor,
                reason="Needs someone else.",
                trigger=trigger,
                team=team,
                tier=tier,
            )

    def resolve(self, ticket: Ticket, hours: float) -> None:
        with self._travel(hours):
            ticket_resolve(ticket=ticket, actor=None)

    def reopen(self, ticket: Ticket, hours: float) -> None:
        with self._travel(hours):
            ticket_reopen(ticket=ticket, actor=None, reason="It came back.")

    def rate(self, ticket: Ticket, score: int, hours: float) -> Csat:
        with self._travel(hours):
            return csat_submit(ticket=Ticket.objects.get(pk=ticket.pk), customer=ticket.customer, score=score)

    def event(self, ticket: Ticket, code: str, hours: float, **columns) -> None:
        """An event another part of the system records (automation.*, sla.*, routing.*)."""
        with self._travel(hours):
            event_record(
                ticket=Ticket.objects.get(pk=ticket.pk), code=code, trigger=Trigger.SYSTEM, **columns
            )
