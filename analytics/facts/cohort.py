"""A report's cohort read from the day facts: the tickets created in the range that pass the filters,
and the rows of the other kinds that belong to them, as numpy arrays.

    cohort = Cohort.of(filters)
    resolution, tier = cohort.tickets("resolution_h", "tier")        # one value per cohort ticket
    ticket, at = cohort.escalations("ticket", "at_us")              # one value per cohort escalation
    category = cohort.tickets("category", of=ticket)                # per escalation, its ticket's
    channel, names = cohort.coded("ticket", "channel")              # codes and the values they stand for

A `ticket` column (of escalations, assignments) is an index into the cohort's tickets, so
`cohort.tickets(name)[ticket]` is the value of each row's ticket (`of=` does that).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from analytics.facts import store
from analytics.facts.columns import CODED, NONE, dtype_of
from analytics.filters import Filters
from analytics.models import FactDay
from helpdesk.models import Organization


@dataclass
class Cohort:
    filters: Filters
    days: list[dt.date]
    counts: np.ndarray  # tickets per day, in the order of `days`
    columns: dict[dt.date, dict[str, np.ndarray]] = field(default_factory=dict)
    vocabulary: dict[dt.date, dict[str, list[str]]] = field(default_factory=dict)
    selected: np.ndarray | None = None  # over all the days' tickets: in the cohort
    _loaded: dict[str, np.ndarray] = field(default_factory=dict)
    _words: dict[str, list[str]] = field(default_factory=dict)  # coded column -> the values of its codes
    _narrowed: dict[str, np.ndarray] = field(default_factory=dict)  # columns narrowed to the cohort

    @classmethod
    def of(cls, filters: Filters) -> Cohort:
        """The cohort of these filters, after bringing the facts up to date."""
        store.refresh()
        rows = list(
            FactDay.objects.filter(day__gte=filters.since, day__lte=filters.until)
            .order_by("day")
            .values_list("day", "tickets", "vocabulary")
        )
        cohort = cls(
            filters=filters,
            days=[day for day, _, _ in rows],
            counts=np.array([n for _, n, _ in rows], dtype=np.int64),
            vocabulary={day: vocabulary for day, _, vocabulary in rows},
        )
        cohort.selected = cohort._select()
        return cohort

    # -- reading columns over all the days' tickets (before the filters) ------------------------------

    @property
    def size(self) -> int:
        return int(self.counts.sum())

    def _offsets(self) -> np.ndarray:
        return np.concatenate([[0], np.cumsum(self.counts)[:-1]]) if len(self.counts) else self.counts

    def _fetch(self, names: list[str]) -> None:
        missing = [n for n in names if n not in self._loaded]
        if not missing or not self.days:
            for name in missing:
                self._loaded[name] = np.zeros(0, dtype=dtype_of(name))
            return
        read = store.read(self.days[0], self.days[-1], missing)
        offsets = self._offsets()
        for name in missing:
            kind, column = name.split(".", 1)
            parts = []
            for i, day in enumerate(self.days):
                part = read.get(day, {}).get(name)
                if part is None:
                    part = np.zeros(0, dtype=dtype_of(name))
                if column == "ticket":
                    part = part.astype(np.int64) + offsets[i]
                elif (kind, column) in CODED:
                    part = self._recode(name, day, part)
                parts.append(part)
            self._loaded[name] = np.concatenate(parts) if parts else np.zeros(0, dtype=dtype_of(name))

    def _recode(self, name: str, day: dt.date, codes: np.ndarray) -> np.ndarray:
        """A day's codes as indexes into the cohort's vocabulary of the column (self.words)."""
        words = self.vocabulary[day].get(name, [])
        merged = self._words.setdefault(name, [])
        mapping = np.array([self._word(merged, w) for w in words] + [NONE], dtype=np.int16)
        return mapping[codes]  # NONE (-1) maps to the appended NONE

    @staticmethod
    def _word(words: list[str], word: str) -> int:
        if word not in words:
            words.append(word)
        return words.index(word)

    def all(self, name: str) -> np.ndarray:
        """A column over all the days' rows of its kind, before the filters."""
        self._fetch([name])
        return self._loaded[name]

    def load(self, *names: str) -> None:
        """Read several columns in one query (optional: reading a column reads it when needed)."""
        self._fetch(list(names))

    # -- the filters -----------------------------------------------------------------------------------

    def _passed(self, kind: str, value: int) -> np.ndarray:
        """Tickets with a row of this pass kind for the value (the team, tier or agent it passed)."""
        self._fetch([f"{kind}.ticket", f"{kind}.{kind.removesuffix('_pass')}"])
        hit = np.zeros(self.size, dtype=bool)
        rows = self._loaded[f"{kind}.{kind.removesuffix('_pass')}"] == value
        hit[self._loaded[f"{kind}.ticket"][rows]] = True
        return hit

    def _select(self) -> np.ndarray:
        f = self.filters
        selected = np.ones(self.size, dtype=bool)
        if f.category:
            selected &= self.all("ticket.category") == f.category.pk
        if f.channel:
            channel = self.all("ticket.channel")
            words = self._words.get("ticket.channel", [])
            selected &= channel == (words.index(f.channel) if f.channel in words else -2)
        if f.segment:
            organizations = np.array(
                Organization.objects.filter(segment=f.segment).values_list("pk", flat=True), dtype=np.int64
            )
            selected &= np.isin(self.all("ticket.organization"), organizations)
        if f.team:
            selected &= self._passed("team_pass", f.team.pk)
        if f.tier:
            selected &= self._passed("tier_pass", f.tier.pk)
        if f.agent:
            selected &= self._passed("agent_pass", f.agent.pk)
        return selected

    # -- the cohort ------------------------------------------------------------------------------------

    @property
    def count(self) -> int:
        return int(self.selected.sum())

    def day_numbers(self) -> np.ndarray:
        """For each cohort ticket, the position of its creation day in `days`."""
        return np.repeat(np.arange(len(self.days)), self.counts)[self.selected]

    def _selected_rows(self, column: str) -> np.ndarray:
        """A column narrowed to the cohort (kept: a page reads the same columns from several tables);
        a `ticket` column renumbered to index the cohort's tickets."""
        if column not in self._narrowed:
            kind, name = column.split(".", 1)
            self._fetch([column, f"{kind}.ticket"] if kind != "ticket" else [column])
            values = self._loaded[column]
            if kind == "ticket":
                self._narrowed[column] = values[self.selected]
            else:
                owners = self._loaded[f"{kind}.ticket"]
                kept = values[self.selected[owners]] if len(owners) else values[:0]
                self._narrowed[column] = self._position()[kept] if name == "ticket" else kept
        return self._narrowed[column]

    def _position(self) -> np.ndarray:
        """For each of the days' tickets, its index among the cohort's tickets."""
        if "position" not in self._narrowed:
            self._narrowed["position"] = np.cumsum(self.selected) - 1
        return self._narrowed["position"]

    def tickets(self, *names: str, of: np.ndarray | None = None):
        """Columns of the cohort's tickets (or, with `of`, of the tickets at those cohort indexes)."""
        self._fetch([f"ticket.{n}" for n in names])
        out = [self._selected_rows(f"ticket.{name}") for name in names]
        if of is not None:
            out = [values[of] for values in out]
        return out[0] if len(out) == 1 else out

    def rows(self, kind: str, *names: str):
        """Columns of the rows of a kind (escalation, assignment, ...) that belong to the cohort's tickets;
        their `ticket` column indexes the cohort's tickets."""
        self._fetch([f"{kind}.ticket", *(f"{kind}.{n}" for n in names)])
        out = [self._selected_rows(f"{kind}.{name}") for name in names]
        return out[0] if len(out) == 1 else out

    def escalations(self, *names: str):
        return self.rows("escalation", *names)

    def words(self, kind: str, name: str) -> list[str]:
        """The stored values the codes of a coded column stand for (read the column first)."""
        self._fetch([f"{kind}.{name}"])
        return list(self._words.get(f"{kind}.{name}", []))
