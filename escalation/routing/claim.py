"""Claiming an agent's capacity so that concurrent workers never push anyone over it.

PostgreSQL: the candidates' agent rows are locked with SELECT ... FOR UPDATE SKIP LOCKED, the open load
is re-counted under the lock, and the lock is held until the routing transaction commits (after the
assignment), so a second worker either skips that agent or waits and then sees the new load.
SQLite ignores row locks, but its IMMEDIATE transactions already let only one writer in at a time.
"""

from __future__ import annotations

from django.db.models import Count

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


def _hold(reads: ReadAhead, agent_ids: list[int], *, wait: bool = False) -> None:
    """Lock these agents for the rest of the routing unit (skipping those another worker holds, unless
    told to wait) and count their open load under the lock."""
    locked = _lock(agent_ids, wait=wait)
    reads.busy_elsewhere.update(set(agent_ids) - locked)
    loads = fresh_loads(sorted(locked))
    reads.held.update({pk: loads.get(pk, 0) for pk in locked})


def claim_best(
    ranked: list[Assessment], reads: ReadAhead, *, current_assignee_id: int | None = None
) -> Assessment | None:
    """The best-ranked eligible agent who still has room, with their row locked until the routing unit
    commits (`reads` keeps the locks its tickets took and the load they gave each agent).

    Agents are locked a few at a time, best-ranked first, and stay held: the unit's later tickets claim
    them without a query. Agents another worker holds are skipped. Only when every candidate is busy
    elsewhere and the unit holds no agent lock yet does it wait, and then for the favourite alone (so
    two workers cannot deadlock); otherwise the ticket waits in its queue for the next re-check.
    """

    def has_room(candidate: Assessment) -> bool:
        pk = candidate.agent.pk
        return (
            pk in reads.held and reads.held_load(pk) - (pk == current_assignee_id) < candidate.agent.capacity
        )

    eligible = [a for a in ranked if a.eligible]
    remaining = [a for a in eligible if a.agent.pk not in reads.busy_elsewhere]
    for index, candidate in enumerate(remaining):
        if candidate.agent.pk not in reads.held:
            window = [a.agent.pk for a in remaining[index : index + BATCH_LOCK_WINDOW]]
            _hold(reads, [p for p in window if p not in reads.held])
        if has_room(candidate):
            return candidate
    if eligible and not reads.held:  # everyone is busy elsewhere and this unit holds no agent: wait
        favourite = eligible[0]
        reads.busy_elsewhere.discard(favourite.agent.pk)
        _hold(reads, [favourite.agent.pk], wait=True)
        if has_room(favourite):
            return favourite
    return None
