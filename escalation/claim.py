"""Claiming an agent's capacity so that concurrent workers never push anyone over it.

PostgreSQL: the candidates' agent rows are locked with SELECT ... FOR UPDATE SKIP LOCKED, the open load
is re-counted under the lock, and the lock is held until the routing transaction commits (after the
assignment), so a second worker either skips that agent or waits and then sees the new load.
SQLite ignores row locks, but its IMMEDIATE transactions already let only one writer in at a time.
"""

from __future__ import annotations

from django.db.models import Count

from escalation.candidates import Assessment
from helpdesk.models import OPEN_STATUSES, Agent, Ticket


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
    """
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
