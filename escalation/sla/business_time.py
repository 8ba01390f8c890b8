"""Business time: counting minutes only while support is open.

A `WorkingHours` value describes one business-hours calendar: weekly opening periods in a time zone,
minus closed days (admin-entered dates and, optionally, a country's public holidays from the
`holidays` package). `None` instead of a `WorkingHours` means around the clock (24/7).

Everything here is pure (no database): the SLA code builds a `WorkingHours` from a calendar row once
and then asks two questions of it:

- `business_deadlines(start, [m1, m2, ...], hours)`: the moments at which m1, m2, ... business minutes
  have passed since `start` (one walk over the calendar for all of them: due time, warning time and
  score-refresh checkpoints of a window cost about as much as one).
- `business_minutes_between(start, end, hours)`: how many business minutes lie between two moments
  (how long a paused clock stood still).

Opening periods are wall-clock times in the calendar's zone, converted to UTC day by day, so DST shifts
are honoured: a 09:00-17:00 day is 8 hours on either side of the change.
"""

from __future__ import annotations

import datetime as dt
import functools
import zoneinfo
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import holidays

ONE_DAY = dt.timedelta(days=1)
MIDNIGHT = dt.time(0, 0)
# A calendar with no opening hours for this long is misconfigured; stop instead of looping forever.
MAX_DAYS = 3 * 366

ERR_NO_OPENING_HOURS = "The calendar has no opening hours in the next three years."


@functools.cache
def public_holidays(country: str, subdivision: str = "") -> holidays.HolidayBase:
    """A country's (or region's) public holidays; years are filled in lazily as dates are asked about."""
    return holidays.country_holidays(country, subdiv=subdivision or None)


@dataclass(frozen=True)
class WorkingHours:
    """Weekly opening periods in a time zone, minus closed days.

    `weekly` maps weekday (0 = Monday) to (opens, closes) pairs of local times; closes == 00:00 means
    midnight at the end of that day. Periods must not cross midnight (split them instead).
    """

    timezone: str = "UTC"
    weekly: dict[int, tuple[tuple[dt.time, dt.time], ...]] = field(default_factory=dict)
    closed_dates: frozenset[dt.date] = frozenset()
    holiday_country: str = ""
    holiday_subdivision: str = ""

    @functools.cached_property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    def is_closed_on(self, day: dt.date) -> bool:
        """A closed day: entered by an admin, or a public holiday of the calendar's country."""
        if day in self.closed_dates:
            return True
        return bool(self.holiday_country) and day in public_holidays(
            self.holiday_country, self.holiday_subdivision
        )

    def periods_from(self, day: dt.date) -> Iterator[tuple[dt.datetime, dt.datetime]]:
        """Opening periods as aware UTC (start, end) pairs, from local `day` onwards, in order."""
        if not any(self.weekly.values()):
            raise ValueError(ERR_NO_OPENING_HOURS)
        for _ in range(MAX_DAYS):
            if not self.is_closed_on(day):
                for opens, closes in self.weekly.get(day.weekday(), ()):
                    start = dt.datetime.combine(day, opens, tzinfo=self.zone)
                    end_day = day + ONE_DAY if closes == MIDNIGHT else day
                    end = dt.datetime.combine(end_day, closes, tzinfo=self.zone)
                    yield start.astimezone(dt.UTC), end.astimezone(dt.UTC)
            day += ONE_DAY
        raise ValueError(ERR_NO_OPENING_HOURS)

    def local_date(self, moment: dt.datetime) -> dt.date:
        return moment.astimezone(self.zone).date()


def business_deadlines(
    start: dt.datetime, minutes: Sequence[float], hours: WorkingHours | None
) -> list[dt.datetime]:
    """For each entry of `minutes`, the moment at which that many business minutes have passed since
    `start`. Results come back in the order asked. Zero minutes means the next moment support is open."""
    if hours is None or not minutes:
        return [start + dt.timedelta(minutes=m) for m in minutes]
    order = sorted(range(len(minutes)), key=lambda i: minutes[i])
    results: list[dt.datetime | None] = [None] * len(minutes)
    position, consumed = 0, 0.0  # seconds of business time before the current period
    for period_start, period_end in hours.periods_from(hours.local_date(start)):
        if period_end <= start:
            continue
        period_start = max(period_start, start)
        span = (period_end - period_start).total_seconds()
        while position < len(order) and minutes[order[position]] * 60 - consumed <= span:
            index = order[position]
            results[index] = period_start + dt.timedelta(seconds=minutes[index] * 60 - consumed)
            position += 1
        if position == len(order):
            break
        consumed += span
    return results  # type: ignore[return-value] - every slot is filled once the loop ends


def add_business_minutes(start: dt.datetime, minutes: float, hours: WorkingHours | None) -> dt.datetime:
    return business_deadlines(start, [minutes], hours)[0]


def business_minutes_between(start: dt.datetime, end: dt.datetime, hours: WorkingHours | None) -> float:
    """Business minutes in [start, end); 0 when end is not after start."""
    if end <= start:
        return 0.0
    if hours is None:
        return (end - start).total_seconds() / 60
    total = 0.0
    for period_start, period_end in hours.periods_from(hours.local_date(start)):
        if period_start >= end:
            break
        overlap = (min(period_end, end) - max(period_start, start)).total_seconds()
        total += max(overlap, 0.0)
    return total / 60
