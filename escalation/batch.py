"""Routing new tickets in batches: when tickets arrive faster than one worker routes them one by one.

Each new ticket queues its own routing task. The task routes its ticket together with up to
BATCH_SIZE - 1 other new tickets that no routing has reached yet (oldest first), in one transaction:
- their rows are read once for the whole batch (escalation.read_ahead) and their writes go out as one
  statement per table (helpdesk.gathered), so a decision costs a fraction of the round trips;
- the agents the batch claims stay locked until it commits (escalation.claim.claim_in_batch), and
  tickets another worker has locked are left to it (SKIP LOCKED);
- each ticket goes through exactly the steps of escalation.routing.route, and the tasks of the
  tickets a batch routed find them routed and stop.
When the queue is empty the batch is the ticket alone. If a batch fails, it is rolled back and the
task routes its own ticket alone, so one bad ticket cannot hold back the others.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from escalation.models import RoutingDecision
from escalation.policy import current_policy
from escalation.read_ahead import reading_ahead
from escalation.routing import locked_tickets, route, route_locked
from helpdesk.background import tasks_sent_together
from helpdesk.gathered import gathered_writes
from helpdesk.models import Status, Ticket

logger = logging.getLogger(__name__)

BATCH_SIZE = 40
BACKLOG_WINDOW = dt.timedelta(hours=1)  # older unrouted tickets are the once-a-minute re-check's


def unrouted_new_tickets(ticket_id: int, limit: int) -> list[int]:
    """This ticket, unless a routing reached it already, then other new tickets no routing has
    reached yet, oldest first."""
    since = timezone.now() - BACKLOG_WINDOW
    backlog = Q(status=Status.NEW, assignee__isnull=True, created_at__gte=since)
    found = list(
        Ticket.objects.filter(Q(pk=ticket_id) | backlog)
        .exclude(metadata__has_key="routing")
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[: limit + 1]
    )
    if ticket_id not in found:
        return []
    return [ticket_id, *[pk for pk in found if pk != ticket_id][: limit - 1]]


def route_batch(ticket_ids: list[int]) -> dict[int, RoutingDecision | None]:
    """First routing of these tickets in one transaction; {ticket id: its decision or None} for the
    tickets it locked (those another worker holds are left out)."""
    now, policy = timezone.now(), current_policy()
    with tasks_sent_together(), transaction.atomic(), gathered_writes():
        tickets = locked_tickets(ticket_ids, skip_locked=True)
        with reading_ahead(tickets, now):
            return {
                ticket.pk: route_locked(ticket, trigger="created", now=now, policy=policy)
                for ticket in tickets
            }


def route_new_ticket(ticket_id: int) -> RoutingDecision | None:
    """A new ticket's routing task: route it with the backlog of other new tickets, or alone.
    None when a batch routed it already (or there was nothing to do)."""
    batch = unrouted_new_tickets(ticket_id, BATCH_SIZE)
    if not batch:
        return None
    if len(batch) > 1:
        try:
            routed = route_batch(batch)
        except Exception:
            logger.exception("routing batch %s failed; routing ticket %s alone", batch, ticket_id)
        else:
            if ticket_id in routed:
                return routed[ticket_id]
    # Alone: also when another worker held the ticket (this waits for it, then finds it routed).
    return route(ticket_id, trigger="created")
