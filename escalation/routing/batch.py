"""Routing new tickets in batches: when tickets arrive faster than one worker routes them one by one.

Each new ticket queues its own routing task. The task locks the oldest BATCH_SIZE new tickets that no
routing has reached yet (its own among them, unless the backlog is longer) and routes them in one
transaction:
- their rows are read once for the whole batch (escalation.routing.read_ahead) and their writes go out as one
  statement per table (helpdesk.unit_of_work), so a decision costs a fraction of the round trips;
- the agents the batch claims stay locked until it commits (escalation.routing.claim.claim_best);
- tickets another worker holds are skipped (SKIP LOCKED), so two workers take two different batches;
- the batch goes through escalation.routing.engine.route like any other (a single ticket is a batch of one);
  the tasks of tickets a batch routed find nothing left to do.
With no backlog the batch is the ticket alone. A ticket held at that moment by something other than a
routing batch (someone acting on a brand-new ticket) is taken by the next task's batch, or by the
once-a-minute re-check (escalation.routing.engine.NEW_TICKET_GRACE). If a batch fails, it is rolled back and
the task routes its own ticket alone, so one bad ticket cannot hold back the others.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db.models import BooleanField, ExpressionWrapper, Q
from django.utils import timezone

from escalation.models import RoutingDecision
from escalation.routing.engine import locked_tickets, route
from helpdesk.models import Status, Ticket
from helpdesk.services import ticket_arrivals_record
from helpdesk.unit_of_work import unit_of_work

logger = logging.getLogger(__name__)

BATCH_SIZE = 40
BACKLOG_WINDOW = dt.timedelta(hours=1)  # older unrouted tickets are the once-a-minute re-check's
ROUTED = ExpressionWrapper(Q(first_routed_at__isnull=False), output_field=BooleanField())
NOT_ROUTED = Q(first_routed_at__isnull=True)


def _unrouted() -> Q:
    """New tickets no routing has reached yet (index ticket_unassigned_new)."""
    since = timezone.now() - BACKLOG_WINDOW
    return Q(status=Status.NEW, assignee__isnull=True, created_at__gte=since) & NOT_ROUTED


def _lock_unrouted(ticket_id: int) -> tuple[list[int], bool]:
    """Lock up to BATCH_SIZE unrouted new tickets, oldest first, and this ticket if it is not among
    them but unrouted (not a plain new ticket); skip those other workers hold. Their ids, and whether
    this ticket was out of reach: held by another transaction."""
    lockable = Ticket.objects.select_for_update(skip_locked=True).order_by("created_at", "pk")
    ids = list(lockable.filter(_unrouted()).values_list("pk", flat=True)[:BATCH_SIZE])
    if ticket_id in ids:
        return ids, False
    # Routed or not, in the same query: a routed one is held here until commit, which costs its agent
    # at most a batch's wait, and spares every task of a routed backlog a query of its own.
    own = list(lockable.filter(pk=ticket_id).annotate(routed=ROUTED).values_list("routed", flat=True))
    if own and not own[0]:
        ids.append(ticket_id)
    return ids, not own


def route_new_ticket(ticket_id: int) -> RoutingDecision | None:
    """A new ticket's routing task: route the oldest unrouted tickets, this one included, as one unit of
    work. Its decision, or None when a batch routed it already or something else held it (see the module
    docstring)."""
    try:
        with unit_of_work(gather_writes=True):
            ids, out_of_reach = _lock_unrouted(ticket_id)
            decisions = route(ids, "created") if ids else {}
    except Exception:
        logger.exception("routing batch with ticket %s failed; routing it alone", ticket_id)
        return route([ticket_id], "created").get(ticket_id)
    if out_of_reach:
        _record_arrival(ticket_id)  # held by someone acting on it: its routing waits, its arrival not
    return decisions.get(ticket_id)


def _record_arrival(ticket_id: int) -> None:
    with unit_of_work():
        ticket_arrivals_record(locked_tickets(Q(pk=ticket_id) & NOT_ROUTED, skip_locked=False))
