"""Claiming an agent's capacity so that concurrent workers never push anyone over it.

PostgreSQL: the candidates' agent rows are locked with SELECT ... FOR UPDATE SKIP LOCKED, the open load
is re-counted under the lock, and the lock is held until the routing transaction commits (after the
assignment), so a second worker either skips that agent or waits and then sees the new load.
SQLite ignores row locks, but its IMMEDIATE transactions already let only one writer in at a time.
"""

from __future__ import annotations

from django.db.models import Count

from escalation.routing import read_ahead
from escalation.routing.candidates import Assessment
from escalation.routing.read_ahead import ReadAhead
from helpdesk.models import OPEN_STATUSES, Agent, Ticket

BATCH_LOCK_WINDOW = 8  # agents a batch locks at once, best-ranked first


def fresh_loads(agent_ids: list[int]) -> dict[int, int]:
    """Open tickets per agent, counted now (inside the caller's transaction)."""
    rows = (
        Ticket.objects.filter(assignee_id__in=agent_ids, status__in=OPEN_STATUSES)
        .order_by()
        .values("assignee_id")
        .annotate(n=Count("*"))
        .values_list("assignee_id", "n")
    )
    return dict(rows)


def _lock(agent_ids: list[int], *, wait: bool) -> set[int]:
    locked = Agent.objects.select_for_update(skip_locked=not wait).filter(pk__in=agent_ids).order_by("pk")
    return set(locked.values_list("pk", flat=True))


def claim_best(ranked: list[Assessment], *, current_assignee_id: int | None = None) -> Assessment | None:
    """The best-ranked eligible agent who still has room, with their row locked. Call inside atomic().

    Agents other workers are busy with are skipped; only when every candidate is busy does it wait, and
    then for the favourite alone while holding no other agent lock (so two workers cannot deadlock).
    Inside a routing batch (escalation.routing.read_ahead) see `claim_in_batch`.
    """
    ahead = read_ahead.current()
    if ahead is not None:
        return claim_in_batch(ranked, ahead, current_assignee_id=current_assignee_id)
    remaining = [a for a in ranked if a.eligible]
    holding = False
    while remaining:
        ids = [a.agent.pk for a in remaining]
        locked = _lock(ids, wait=False)
        if not locked and not holding:
            locked = _lock(ids[:1], wait=True)
        if not locked:
            return None
        holding = True
        loads = fresh_loads(sorted(locked))
        for candidate in remaining:
            pk = candidate.agent.pk
            if pk in locked and loads.get(pk, 0) - (pk == current_assignee_id) < candidate.agent.capacity:
                return candidate
        remaining = [a for a in remaining if a.agent.pk not in locked]
    return None


def _hold(ahead: ReadAhead, agent_ids: list[int]) -> None:
    """Lock these agents for the rest of the batch (skipping those another worker holds) and count
    their open load under the lock."""
    locked = _lock(agent_ids, wait=False)
    ahead.busy_elsewhere.update(set(agent_ids) - locked)
    loads = fresh_loads(sorted(locked))
    ahead.held.update({pk: loads.get(pk, 0) for pk in locked})


def claim_in_batch(
    ranked: list[Assessment], ahead: ReadAhead, *, current_assignee_id: int | None = None
) -> Assessment | None:
    """claim_best for a batch, which holds the agent locks it took until it commits.

    Agents are locked a few at a time, best-ranked first, and stay held: the batch's later tickets
    claim them without a query, counting the load the batch gave them. A batch never waits for an
    agent another worker holds (it holds locks of its own, so waiting could deadlock): when every
    candidate is busy elsewhere, the ticket waits in its queue for the next re-check.
    """
    remaining = [a for a in ranked if a.eligible and a.agent.pk not in ahead.busy_elsewhere]
    for index, candidate in enumerate(remaining):
        pk = candidate.agent.pk
        if pk not in ahead.held:
            window = [a.agent.pk for a in remaining[index : index + BATCH_LOCK_WINDOW]]
            _hold(ahead, [p for p in window if p not in ahead.held])
        if pk in ahead.held and ahead.held_load(pk) - (pk == current_assignee_id) < candidate.agent.capacity:
            return candidate
    return None
