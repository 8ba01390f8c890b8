"""The filters every analytics page and endpoint takes, and the ticket cohort they select.

The cohort is the set of tickets *created* in the date range (whole days, inclusive), narrowed by the
ticket's segment, category and channel, and by the team, tier or agent it passed through (see
docs/metrics.md). Everything that happened to those tickets counts, whenever it happened.
Agents who do not see every queue are always narrowed to the tickets they handled themselves.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django import forms
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import QueryDict
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from helpdesk.models import Agent, Category, Channel, Segment, Team, Ticket, TicketEvent, Tier

ESCALATION_CODES = ("escalation.functional", "escalation.hierarchical")
# A ticket is escalated when it has at least one escalation.* event. The escalate service increments
# escalation_count in the same transaction as it writes that event, so the counter is the cheap test.
ESCALATED = Q(escalation_count__gt=0)
DEFAULT_DAYS = 90
EARLIEST_DATE = dt.date(2000, 1, 1)
LATEST_DATE = dt.date(2100, 12, 31)
ERR_RANGE_ORDER = "The end date must not be before the start date."
ERR_DATE_BOUNDS = "Choose a date between 2000-01-01 and 2100-12-31."


def day_start(day: dt.date) -> dt.datetime:
    """The first moment of `day` in the site's time zone."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


@dataclass(frozen=True)
class Filters:
    since: dt.date
    until: dt.date
    team: Team | None = None
    tier: Tier | None = None
    segment: str = ""
    category: Category | None = None
    channel: str = ""
    agent: Agent | None = None

    @property
    def start(self) -> dt.datetime:
        """The first moment of `since`, in the site's time zone."""
        return day_start(self.since)

    @property
    def end(self) -> dt.datetime:
        """The first moment after `until` (exclusive bound)."""
        return day_start(self.until + dt.timedelta(days=1))

    def as_params(self) -> dict[str, str]:
        """The filters as query parameters (what the forms and the API accept)."""
        params = {
            "since": self.since.isoformat(),
            "until": self.until.isoformat(),
            "team": self.team.name if self.team else "",
            "tier": str(self.tier.level) if self.tier else "",
            "segment": self.segment,
            "category": self.category.name if self.category else "",
            "channel": self.channel,
            "agent": self.agent.user.username if self.agent else "",
        }
        return {key: value for key, value in params.items() if value}


def _involved_in_escalation(prefix: str, **columns) -> Exists:
    """The ticket has an escalation event with any of the given from/to columns."""
    condition = Q()
    for column, value in columns.items():
        condition |= Q(**{column: value})
    return Exists(
        TicketEvent.objects.filter(condition, ticket_id=OuterRef(f"{prefix}pk"), code__in=ESCALATION_CODES)
    )


def cohort_q(filters: Filters, prefix: str = "") -> Q:
    """A Q selecting the cohort's tickets; `prefix` ("ticket__") applies it across a relation."""
    p = prefix
    q = Q(**{f"{p}created_at__gte": filters.start, f"{p}created_at__lt": filters.end})
    if filters.segment:
        q &= Q(**{f"{p}organization__segment": filters.segment})
    if filters.category:
        q &= Q(**{f"{p}category_id": filters.category.pk})
    if filters.channel:
        q &= Q(**{f"{p}channel": filters.channel})
    if filters.team:
        team = filters.team.pk
        q &= Q(**{f"{p}team_id": team}) | _involved_in_escalation(p, from_team=team, to_team=team)
    if filters.tier:
        tier = filters.tier.pk
        q &= Q(**{f"{p}tier_id": tier}) | _involved_in_escalation(p, from_tier=tier, to_tier=tier)
    if filters.agent:
        agent = filters.agent.pk
        handled = TicketEvent.objects.filter(
            Q(to_agent=agent) | Q(from_agent=agent), ticket_id=OuterRef(f"{p}pk")
        )
        q &= Q(**{f"{p}assignee_id": agent}) | Q(Exists(handled))
    return q


def cohort(filters: Filters) -> QuerySet[Ticket]:
    return Ticket.objects.filter(cohort_q(filters))


def with_default_dates(params: QueryDict, days: int = DEFAULT_DAYS) -> QueryDict:
    """The parameters with since/until filled in (the last `days` days, as Filters defaults them), so
    forms show them."""
    params = params.copy()
    today = timezone.localdate()
    if not params.get("until"):
        params["until"] = today.isoformat()
    if not params.get("since"):
        try:
            until = dt.date.fromisoformat(params["until"])
        except ValueError:
            return params  # the form reports the bad date
        params["since"] = (until - dt.timedelta(days=days - 1)).isoformat()
    return params


class DayField(forms.DateField):
    """A day; an ISO date-time (2025-03-01T10:00:00Z) is read as its day in the site's time zone."""

    widget = forms.DateInput(attrs={"type": "date"})

    def to_python(self, value):
        if isinstance(value, str) and "T" in value:
            try:
                moment = parse_datetime(value.strip())
            except ValueError:  # well-formed but impossible, such as hour 25
                raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
            if moment is not None:
                return timezone.localtime(moment).date() if timezone.is_aware(moment) else moment.date()
        return super().to_python(value)


class AgentChoiceField(forms.ModelChoiceField):
    """An agent, named by username in URLs."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if "\x00" in str(value):  # PostgreSQL refuses NUL in text: a bad choice, not a server error
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        agent = self.queryset.filter(user__username=value).first()
        if agent is None:
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return agent

    def prepare_value(self, value):
        return value.user.username if isinstance(value, Agent) else value

    def label_from_instance(self, obj: Agent) -> str:
        return str(obj)


def _blank(choices) -> list[tuple[str, str]]:
    return [("", "All"), *choices]


class DayRangeForm(forms.Form):
    """A range of whole days, each between EARLIEST_DATE and LATEST_DATE, the end not before the start."""

    since = DayField(required=False)
    until = DayField(required=False)

    def _clean_bounded(self, name: str) -> dt.date | None:
        value = self.cleaned_data.get(name)
        if value is not None and not EARLIEST_DATE <= value <= LATEST_DATE:
            raise forms.ValidationError(ERR_DATE_BOUNDS)
        return value

    def clean_since(self) -> dt.date | None:
        return self._clean_bounded("since")

    def clean_until(self) -> dt.date | None:
        return self._clean_bounded("until")

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", ERR_RANGE_ORDER)
        return data


class FilterForm(DayRangeForm):
    """Validates the query parameters. `viewer` None means unrestricted (staff accounts)."""

    team = forms.ModelChoiceField(
        Team.objects.order_by("name"), required=False, to_field_name="name", empty_label="All"
    )
    tier = forms.ModelChoiceField(
        Tier.objects.order_by("level"), required=False, to_field_name="level", empty_label="All"
    )
    segment = forms.ChoiceField(choices=_blank(Segment.choices), required=False)
    category = forms.ModelChoiceField(
        Category.objects.order_by("name"), required=False, to_field_name="name", empty_label="All"
    )
    channel = forms.ChoiceField(choices=_blank(Channel.choices), required=False)
    agent = AgentChoiceField(
        Agent.objects.select_related("user").order_by("user__username"), required=False, empty_label="All"
    )

    def __init__(self, *args, viewer: Agent | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.viewer = viewer
        if viewer is not None and not viewer.sees_all_tickets:
            # Agents see their own numbers only: the agent filter is always themselves.
            del self.fields["agent"]

    def filters(self) -> Filters:
        """The validated filters, with defaults for what was left out. Call after is_valid()."""
        data = self.cleaned_data
        today = timezone.localdate()
        until = data.get("until") or max(today, data.get("since") or today)
        since = data.get("since") or until - dt.timedelta(days=DEFAULT_DAYS - 1)
        restricted = self.viewer is not None and not self.viewer.sees_all_tickets
        return Filters(
            since=since,
            until=until,
            team=data.get("team"),
            tier=data.get("tier"),
            segment=data.get("segment") or "",
            category=data.get("category"),
            channel=data.get("channel") or "",
            agent=self.viewer if restricted else data.get("agent"),
        )
