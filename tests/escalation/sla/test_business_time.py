"""Business-hours arithmetic: nights, weekends, holidays, time zones and DST (no database)."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest

from escalation.sla.business_time import (
    ERR_NO_OPENING_HOURS,
    WorkingHours,
    add_business_minutes,
    business_deadlines,
    business_minutes_between,
)

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
NEW_YORK = zoneinfo.ZoneInfo("America/New_York")
NINE_TO_FIVE = ((dt.time(9), dt.time(17)),)


def office(tz: str = "Europe/Berlin", **kwargs) -> WorkingHours:
    """Monday to Friday, 09:00-17:00 local time."""
    return WorkingHours(timezone=tz, weekly={day: NINE_TO_FIVE for day in range(5)}, **kwargs)


def at(tz, *args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=tz)


def test_minutes_inside_opening_hours_count_like_the_clock():
    start = at(BERLIN, 2025, 3, 4, 10, 0)  # a Tuesday
    assert add_business_minutes(start, 90, office()) == at(BERLIN, 2025, 3, 4, 11, 30)


def test_the_clock_stops_overnight():
    start = at(BERLIN, 2025, 3, 4, 16, 30)  # Tuesday, 30 minutes before closing
    assert add_business_minutes(start, 60, office()) == at(BERLIN, 2025, 3, 5, 9, 30)


def test_a_ticket_arriving_at_night_starts_counting_at_opening():
    start = at(BERLIN, 2025, 3, 4, 23, 15)
    assert add_business_minutes(start, 30, office()) == at(BERLIN, 2025, 3, 5, 9, 30)


def test_the_clock_stops_over_the_weekend():
    friday = at(BERLIN, 2025, 3, 7, 16, 0)
    assert add_business_minutes(friday, 120, office()) == at(BERLIN, 2025, 3, 10, 10, 0)  # Monday 10:00


def test_a_weekend_arrival_waits_for_monday():
    saturday = at(BERLIN, 2025, 3, 8, 12, 0)
    assert add_business_minutes(saturday, 60, office()) == at(BERLIN, 2025, 3, 10, 10, 0)


def test_admin_entered_closed_days_are_skipped():
    hours = office(closed_dates=frozenset({dt.date(2025, 3, 5)}))
    start = at(BERLIN, 2025, 3, 4, 16, 0)
    assert add_business_minutes(start, 120, hours) == at(BERLIN, 2025, 3, 6, 10, 0)


def test_public_holidays_come_from_the_country_code():
    # 1 May is Labour Day in Germany (a Thursday in 2025); the US has no holiday that day.
    start = at(BERLIN, 2025, 4, 30, 16, 0)
    assert add_business_minutes(start, 120, office(holiday_country="DE")) == at(BERLIN, 2025, 5, 2, 10, 0)
    assert add_business_minutes(start, 120, office(holiday_country="US")) == at(BERLIN, 2025, 5, 1, 10, 0)


def test_regional_holidays_use_the_subdivision():
    # Epiphany (6 January 2025, a Monday) is a holiday in Bavaria but not in Berlin.
    friday = at(BERLIN, 2025, 1, 3, 16, 0)
    bavaria = office(holiday_country="DE", holiday_subdivision="BY")
    berlin = office(holiday_country="DE", holiday_subdivision="BE")
    assert add_business_minutes(friday, 120, bavaria) == at(BERLIN, 2025, 1, 7, 10, 0)
    assert add_business_minutes(friday, 120, berlin) == at(BERLIN, 2025, 1, 6, 10, 0)


def test_opening_hours_are_local_to_the_calendars_time_zone():
    utc_moment = dt.datetime(2025, 3, 4, 12, 0, tzinfo=dt.UTC)  # 13:00 in Berlin, 07:00 in New York
    assert add_business_minutes(utc_moment, 60, office("Europe/Berlin")) == at(BERLIN, 2025, 3, 4, 14, 0)
    assert add_business_minutes(utc_moment, 60, office("America/New_York")) == at(NEW_YORK, 2025, 3, 4, 10, 0)


def test_a_business_day_stays_eight_hours_across_a_dst_change():
    # Europe springs forward on Sunday 30 March 2025; Friday 16:00 + 2h lands on Monday 10:00 local.
    friday = at(BERLIN, 2025, 3, 28, 16, 0)
    due = add_business_minutes(friday, 120, office())
    assert due == at(BERLIN, 2025, 3, 31, 10, 0)
    assert due.astimezone(dt.UTC).hour == 8  # UTC+2 after the change, UTC+1 before


def test_periods_may_run_to_midnight_and_split_the_day():
    split = WorkingHours(timezone="UTC", weekly={0: ((dt.time(8), dt.time(12)), (dt.time(20), dt.time(0)))})
    monday = dt.datetime(2025, 3, 3, 11, 0, tzinfo=dt.UTC)
    assert add_business_minutes(monday, 120, split) == dt.datetime(2025, 3, 3, 21, 0, tzinfo=dt.UTC)
    assert add_business_minutes(monday, 300, split) == dt.datetime(2025, 3, 4, 0, 0, tzinfo=dt.UTC)
    assert add_business_minutes(monday, 330, split) == dt.datetime(2025, 3, 10, 8, 30, tzinfo=dt.UTC)


def test_around_the_clock_is_plain_time():
    start = dt.datetime(2025, 3, 8, 23, 0, tzinfo=dt.UTC)
    assert add_business_minutes(start, 90, None) == dt.datetime(2025, 3, 9, 0, 30, tzinfo=dt.UTC)
    assert business_minutes_between(start, start + dt.timedelta(hours=3), None) == 180


def test_several_deadlines_come_back_in_the_order_asked():
    start = at(BERLIN, 2025, 3, 4, 16, 0)
    due, warn = business_deadlines(start, [120, 90], office())
    assert warn == at(BERLIN, 2025, 3, 5, 9, 30)
    assert due == at(BERLIN, 2025, 3, 5, 10, 0)


def test_minutes_between_count_only_opening_hours():
    friday_afternoon = at(BERLIN, 2025, 3, 7, 15, 0)
    monday_morning = at(BERLIN, 2025, 3, 10, 10, 30)
    assert business_minutes_between(friday_afternoon, monday_morning, office()) == 120 + 90
    assert business_minutes_between(monday_morning, friday_afternoon, office()) == 0


def test_a_calendar_without_opening_hours_is_refused():
    with pytest.raises(ValueError, match=ERR_NO_OPENING_HOURS):
        add_business_minutes(dt.datetime(2025, 3, 3, tzinfo=dt.UTC), 10, WorkingHours(timezone="UTC"))
