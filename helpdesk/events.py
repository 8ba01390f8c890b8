"""The one way to append to a ticket's event log.

Every recorded event is also published to the live outbox (for open queue and ticket pages) and
announced with the `ticket_event_recorded` signal (for routing and SLA, which react in the background).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from helpdesk import live
from helpdesk.models import Agent, Team, Ticket, TicketEvent, Tier, Trigger
from helpdesk.signals import ticket_event_recorded
from helpdesk.unit_of_work import insert

# Codes whose live event the customer may also receive (public facts about their own ticket).
PUBLIC_CODES = frozenset(
    {
        "ticket.created",
        "ticket.status_changed",
        "ticket.resolved",
        "ticket.reopened",
        "message.agent",
        "message.customer",
        "message.system",
    }
)


def event_record(
    *,
    ticket: Ticket,
    code: str,
    actor: AbstractBaseUser | None = None,
    trigger: str = Trigger.MANUAL,
    reason: str = "",
    details: dict[str, Any] | None = None,
    from_team: Team | None = None,
    to_team: Team | None = None,
    from_tier: Tier | None = None,
    to_tier: Tier | None = None,
    from_agent: Agent | None = None,
    to_agent: Agent | None = None,
    from_value: str = "",
    to_value: str = "",
    actor_id: int | None = None,
    at: dt.datetime | None = None,
) -> TicketEvent:
    """Append one event, publish it live, and announce it. The caller holds the transaction.

    `actor_id` names the actor when only its id is at hand; `at` dates an event recorded after the fact.
    In a unit of work that gathers writes, the event is written with its other events (helpdesk.unit_of_work);
    it is published and announced once it has its id."""
    event = TicketEvent(
        ticket=ticket,
        code=code,
        actor=actor if actor is not None and actor.is_authenticated else None,
        trigger=trigger,
        reason=reason,
        details=details or {},
        from_team=from_team,
        to_team=to_team,
        from_tier=from_tier,
        to_tier=to_tier,
        from_agent=from_agent,
        to_agent=to_agent,
        from_value=str(from_value or ""),
        to_value=str(to_value or ""),
        created_at=at or timezone.now(),
    )
    if actor_id is not None:
        event.actor_id = actor_id

    def announce() -> None:
        # Whoever just lost the ticket must also see it leave their queue.
        previous_owners = [live.team_group(t.pk) for t in (from_team,) if t] + [
            live.agent_group(a.pk) for a in (from_agent,) if a
        ]
        live.publish(
            kind=code,
            ticket=ticket,
            groups=live.ticket_audience(ticket, public=code in PUBLIC_CODES) + previous_owners,
            payload={"event_id": event.pk, "ticket_id": ticket.pk, "code": code, "label": event.label},
        )
        ticket_event_recorded.send(sender=TicketEvent, event=event)

    insert(event, then=announce)
    return event
