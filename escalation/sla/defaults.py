"""Sensible default SLA calendars and policies (`manage.py seed_sla`; seed_demo runs it too).

Get-or-create by name: an admin's later edits are never overwritten. Policies that refer to a tier,
team or category that does not exist are skipped.
"""

from __future__ import annotations

import datetime as dt

from escalation.models.sla import BreachAction, BusinessCalendar, SlaPolicy, WorkingPeriod
from helpdesk.models import Category, Priority, Segment, Team, Tier

OFFICE_HOURS = "Europe office hours"
WEEKDAYS = range(5)

# name: (match, targets in minutes (first response, next reply, resolution), calendar?, other fields)
DEFAULT_POLICIES: dict[str, tuple[dict, tuple[int, int, int], bool, dict]] = {
    "Tier 1 - routine": ({"tier": 1}, (30, 120, 2 * 600), True, {}),
    "Tier 2 - specialist": ({"tier": 2}, (120, 240, 3 * 600), True, {}),
    "Tier 3 - research": (
        {"tier": 3},
        (24 * 60, 24 * 60, 5 * 24 * 60),
        False,
        {"resolution_action": BreachAction.NOTIFY, "open_age_hours": 7 * 24},
    ),
    "Urgent - around the clock": (
        {"priority": Priority.URGENT},
        (15, 60, 8 * 60),
        False,
        {"abandoned_hours": 1, "handoff_grace_minutes": 10},
    ),
    "Enterprise": ({"segment": Segment.ENTERPRISE}, (20, 90, 12 * 60), False, {"abandoned_hours": 2}),
    "Enterprise urgent": (
        {"segment": Segment.ENTERPRISE, "priority": Priority.URGENT},
        (10, 30, 4 * 60),
        False,
        {
            "first_response_action": BreachAction.HIERARCHICAL,
            "abandoned_hours": 1,
            "handoff_grace_minutes": 5,
        },
    ),
    "Security incidents": (
        {"category": "Security incident"},
        (15, 60, 8 * 60),
        False,
        {"abandoned_hours": 1, "handoff_grace_minutes": 10},
    ),
    "Performance problems": (
        {"category": "Performance"},
        (60, 240, 2 * 600),
        True,
        {"resolution_action": BreachAction.FUNCTIONAL, "escalation_team": "Product"},
    ),
}


def office_hours_calendar() -> tuple[BusinessCalendar, bool]:
    calendar, created = BusinessCalendar.objects.get_or_create(
        name=OFFICE_HOURS, defaults={"timezone": "Europe/Berlin", "holiday_country": "DE"}
    )
    if created:
        WorkingPeriod.objects.bulk_create(
            WorkingPeriod(calendar=calendar, weekday=day, opens=dt.time(8, 0), closes=dt.time(18, 0))
            for day in WEEKDAYS
        )
    return calendar, created


def _resolve(match: dict, extra: dict) -> dict | None:
    """Turn names and levels into rows; None when one of them does not exist here."""
    lookups = {
        "tier": lambda level: Tier.objects.filter(level=level).first(),
        "category": lambda name: Category.objects.filter(name=name).first(),
        "escalation_team": lambda name: Team.objects.filter(name=name).first(),
    }
    values = {}
    for key, value in {**match, **extra}.items():
        values[key] = lookups[key](value) if key in lookups else value
        if values[key] is None:
            return None
    return values


def seed_sla_defaults() -> tuple[int, int]:
    """Create the default calendar and policies that are missing. Returns (calendars, policies) created."""
    calendar, calendar_created = office_hours_calendar()
    created = 0
    for name, (match, (first, reply, resolution), on_calendar, extra) in DEFAULT_POLICIES.items():
        if SlaPolicy.objects.filter(name=name).exists():
            continue
        values = _resolve(match, extra)
        if values is None:
            continue
        SlaPolicy.objects.create(
            name=name,
            calendar=calendar if on_calendar else None,
            first_response_minutes=first,
            next_reply_minutes=reply,
            resolution_minutes=resolution,
            **values,
        )
        created += 1
    return int(calendar_created), created
