"""The priority score: a number from weighted factors, and the priority level that follows from it.

First version: the level's base score only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from helpdesk.models import Priority, Ticket

BASE = {Priority.LOW: 20.0, Priority.NORMAL: 40.0, Priority.HIGH: 65.0, Priority.URGENT: 85.0}


@dataclass(frozen=True)
class Factor:
    name: str
    value: float | str | None
    weight: float
    contribution: float

    def as_record(self) -> dict:
        return {
            "name": self.name,
            "value": self.value,
            "weight": self.weight,
            "contribution": self.contribution,
        }


@dataclass(frozen=True)
class Score:
    value: float
    priority: str
    factors: list[Factor] = field(default_factory=list)


def score_ticket(ticket: Ticket, *, now: dt.datetime | None = None) -> Score:
    base = BASE.get(ticket.priority, 40.0)
    return Score(
        value=base, priority=ticket.priority, factors=[Factor("priority level", ticket.priority, 1.0, base)]
    )
