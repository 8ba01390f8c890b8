"""What a replay adds up to, and how two policies' replays differ.

"Where it ended" is the team and tier a ticket has now, after any escalations in reality: a policy that
puts a ticket there at once would have spared the escalations it went through; one that puts a ticket
that was never escalated somewhere else moves a ticket its first team handled.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from escalation.routing.policy import Policy
from escalation.simulate.replay import Placement, Replayed, replay
from helpdesk.models import Autonomy, Ticket

EXAMPLES = 20
COMPARED = ("team", "tier", "priority", "autonomy", "category")


def _where(placement: Placement) -> tuple[str | None, int | None]:
    return placement.team, placement.tier


@dataclass
class Summary:
    policy: str
    tickets: int
    by_team: dict[str, int]
    by_tier: dict[str, int]
    by_priority: dict[str, int]
    by_autonomy: dict[str, int]
    rules_fired: dict[str, int]
    placed_where_ended: int  # team and tier are where the ticket ended in reality
    escalated: int  # tickets escalated in reality
    escalations_spared: int  # of those, placed at once where they ended
    unescalated_moved: int  # never escalated, but placed at another team or tier than where they ended

    @classmethod
    def of(cls, policy: str, replayed: list[Replayed]) -> Summary:
        def count(values) -> dict[str, int]:
            return dict(sorted(Counter("(none)" if v is None else str(v) for v in values).items()))

        escalated = [r for r in replayed if r.escalated]
        return cls(
            policy=policy,
            tickets=len(replayed),
            by_team=count(r.placed.team for r in replayed),
            by_tier=count(f"L{r.placed.tier}" if r.placed.tier is not None else None for r in replayed),
            by_priority=count(r.placed.priority for r in replayed),
            by_autonomy=count(r.placed.autonomy for r in replayed),
            rules_fired=dict(Counter(name for r in replayed for name in r.placed.rules).most_common()),
            placed_where_ended=sum(_where(r.placed) == _where(r.ended) for r in replayed),
            escalated=len(escalated),
            escalations_spared=sum(_where(r.placed) == _where(r.ended) for r in escalated),
            unescalated_moved=sum(_where(r.placed) != _where(r.ended) for r in replayed if not r.escalated),
        )

    @property
    def automatic(self) -> int:
        return self.by_autonomy.get(Autonomy.AUTONOMOUS, 0)

    def as_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "automatic": self.automatic}


@dataclass
class Difference:
    """Tickets the two policies place differently, per aspect, with the first few as examples."""

    base: str
    other: str
    changed: dict[str, int] = field(default_factory=dict)
    examples: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def of(cls, base: tuple[str, list[Replayed]], other: tuple[str, list[Replayed]]) -> Difference:
        (base_name, base_rows), (other_name, other_rows) = base, other
        theirs = {r.ticket_id: r for r in other_rows}
        changed = dict.fromkeys((*COMPARED, "any"), 0)
        examples = []
        for mine in base_rows:
            other_row = theirs[mine.ticket_id]
            moved = {
                aspect: [getattr(mine.placed, aspect), getattr(other_row.placed, aspect)]
                for aspect in COMPARED
                if getattr(mine.placed, aspect) != getattr(other_row.placed, aspect)
            }
            for aspect in moved:
                changed[aspect] += 1
            if moved:
                changed["any"] += 1
                if len(examples) < EXAMPLES:
                    examples.append({"ticket": mine.ticket_id, "subject": mine.subject, **moved})
        return cls(base=base_name, other=other_name, changed=changed, examples=examples)


@dataclass
class Simulation:
    since: dt.date
    until: dt.date
    tickets: int  # created in the range
    replayed: int  # of those, replayed (all, or the latest `limit`)
    summaries: list[Summary]
    difference: Difference | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "since": self.since.isoformat(),
            "until": self.until.isoformat(),
            "tickets": self.tickets,
            "replayed": self.replayed,
            "policies": {s.policy: s.as_dict() for s in self.summaries},
            "compare": None if self.difference is None else self.difference.__dict__,
        }


def _range_ids(since: dt.date, until: dt.date) -> list[int]:
    start = timezone.make_aware(dt.datetime.combine(since, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(until + dt.timedelta(days=1), dt.time.min))
    return list(
        Ticket.objects.filter(created_at__gte=start, created_at__lt=end, merged_into__isnull=True)
        .order_by("-created_at", "-pk")
        .values_list("pk", flat=True)
    )


def simulate(
    policies: list[tuple[str, Policy]], since: dt.date, until: dt.date, *, limit: int | None = None
) -> Simulation:
    """Replay the tickets created from `since` to `until` (whole days; the latest `limit` of them when
    given) by each named policy; with two policies, how the second differs from the first."""
    ids = _range_ids(since, until)
    chosen = ids if limit is None else ids[:limit]
    runs = [(name, replay(chosen, policy)) for name, policy in policies]
    return Simulation(
        since=since,
        until=until,
        tickets=len(ids),
        replayed=len(chosen),
        summaries=[Summary.of(name, rows) for name, rows in runs],
        difference=Difference.of(runs[0], runs[1]) if len(runs) == 2 else None,
    )
