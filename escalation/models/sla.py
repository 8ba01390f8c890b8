"""SLA data: business-hours calendars, policies (targets, triggers, actions) and each ticket's SLA state.

"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from escalation.sla.business_time import MIDNIGHT, WorkingHours, public_holidays
from helpdesk.models import Priority, Segment
from helpdesk.models.staff import validate_timezone

WEEKDAYS = [(0, "Monday"), (1, "Tuesday"), (2, "Wednesday"), (3, "Thursday"), (4, "Friday")] + [
    (5, "Saturday"),
    (6, "Sunday"),
]


class Target(models.TextChoices):
    """The three clocks of a ticket."""

    FIRST_RESPONSE = "first_response", "first response"
    NEXT_REPLY = "next_reply", "next reply"
    RESOLUTION = "resolution", "resolution"


class BreachAction(models.TextChoices):
    """What the sweep does when a clock runs out (or a ticket has been open too long)."""

    HIERARCHICAL = "hierarchical", "Escalate to the next tier"
    FUNCTIONAL = "functional", "Escalate to the policy's escalation team"
    REASSIGN = "reassign", "Re-assign within the tier (fresh eyes)"
    NOTIFY = "notify", "Only notify the team lead"


def default_refresh_shares() -> list[float]:
    return [0.5, 0.9]


class BusinessCalendar(models.Model):
    """When support counts as open: weekly periods in a time zone, minus holidays."""

    name = models.CharField(max_length=100, unique=True)
    timezone = models.CharField(max_length=64, default="UTC", validators=[validate_timezone])
    holiday_country = models.CharField(
        max_length=3,
        blank=True,
        help_text="ISO country code (e.g. DE, US): its public holidays are closed days. Empty: none.",
    )
    holiday_subdivision = models.CharField(
        max_length=10, blank=True, help_text="Optional state or region (e.g. BY for Bavaria)."
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.timezone})"

    def clean(self) -> None:
        if self.holiday_country:
            try:
                public_holidays(self.holiday_country.upper(), self.holiday_subdivision)
            except NotImplementedError as exc:
                raise ValidationError(
                    {"holiday_country": [f"No holiday data for {self.holiday_country!r}: {exc}"]}
                ) from exc
            self.holiday_country = self.holiday_country.upper()

    def working_hours(self) -> WorkingHours:
        """The pure calendar (prefetch `periods` and `closed_days` when building many)."""
        weekly: dict[int, list[tuple[dt.time, dt.time]]] = {}
        for period in sorted(self.periods.all(), key=lambda p: (p.weekday, p.opens)):
            weekly.setdefault(period.weekday, []).append((period.opens, period.closes))
        return WorkingHours(
            timezone=self.timezone,
            weekly={day: tuple(periods) for day, periods in weekly.items()},
            closed_dates=frozenset(closed.date for closed in self.closed_days.all()),
            holiday_country=self.holiday_country,
            holiday_subdivision=self.holiday_subdivision,
        )


class WorkingPeriod(models.Model):
    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="periods")
    weekday = models.PositiveSmallIntegerField(choices=WEEKDAYS)
    opens = models.TimeField(default=dt.time(9, 0))
    closes = models.TimeField(default=dt.time(17, 0), help_text="00:00 means midnight (end of the day).")

    class Meta:
        ordering = ["weekday", "opens"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes__gt=models.F("opens")) | models.Q(closes=MIDNIGHT),
                name="working_period_closes_after_opening",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}-{self.closes:%H:%M}"

    def clean(self) -> None:
        if self.closes != MIDNIGHT and self.closes <= self.opens:
            raise ValidationError(
                {"closes": ["Closing must come after opening (use 00:00 for midnight; split night shifts)."]}
            )


class ClosedDay(models.Model):
    """A holiday or closure entered by hand (public holidays can also come from the country code)."""

    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="closed_days")
    date = models.DateField()
    name = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["calendar", "date"], name="closed_day_unique")]

    def __str__(self) -> str:
        return f"{self.date} {self.name}".strip()


class SlaPolicy(models.Model):
    """Targets and triggers for the tickets it matches.

    Empty match fields match anything; among the active policies that match a ticket, the one with the
    most match fields set wins (on a tie: category, then team, segment, priority, tier decide; then the
    older policy). A ticket no policy matches runs on its tier's targets around the clock.
    """

    name = models.CharField(max_length=100, unique=True)
    is_active = models.BooleanField(default=True)
    description = models.TextField(blank=True)

    # Which tickets
    tier = models.ForeignKey(
        "helpdesk.Tier", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    priority = models.CharField(max_length=10, choices=Priority.choices, blank=True)
    segment = models.CharField(max_length=20, choices=Segment.choices, blank=True)
    team = models.ForeignKey(
        "helpdesk.Team", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    category = models.ForeignKey(
        "helpdesk.Category", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )

    # Targets, in business minutes of the calendar (around the clock when there is none)
    calendar = models.ForeignKey(
        BusinessCalendar,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="policies",
        help_text="Empty: the clock runs 24/7.",
    )
    first_response_minutes = models.PositiveIntegerField(default=60, validators=[MinValueValidator(1)])
    next_reply_minutes = models.PositiveIntegerField(
        default=240, validators=[MinValueValidator(1)], help_text="After each unanswered customer message."
    )
    resolution_minutes = models.PositiveIntegerField(default=24 * 60, validators=[MinValueValidator(1)])

    # Triggers
    warning_share = models.FloatField(
        default=0.75,
        validators=[MinValueValidator(0.05), MaxValueValidator(0.99)],
        help_text="Warn the assignee when this share of a window has passed (0.75 = 75%).",
    )
    score_refresh_shares = models.JSONField(
        default=default_refresh_shares,
        blank=True,
        help_text="Further shares of a window at which the priority score is recomputed, e.g. [0.5, 0.9].",
    )
    first_response_action = models.CharField(
        max_length=12, choices=BreachAction.choices, default=BreachAction.REASSIGN
    )
    next_reply_action = models.CharField(
        max_length=12, choices=BreachAction.choices, default=BreachAction.REASSIGN
    )
    resolution_action = models.CharField(
        max_length=12, choices=BreachAction.choices, default=BreachAction.HIERARCHICAL
    )
    escalation_team = models.ForeignKey(
        "helpdesk.Team",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Where functional escalations go.",
    )
    open_age_hours = models.PositiveIntegerField(
        null=True, blank=True, default=72, help_text="Bring fresh eyes after this long open. Empty: never."
    )
    open_age_action = models.CharField(
        max_length=12, choices=BreachAction.choices, default=BreachAction.REASSIGN
    )
    abandoned_hours = models.PositiveIntegerField(
        null=True,
        blank=True,
        default=4,
        help_text="Flag a ticket nobody has touched (or that sits unassigned) this long. Empty: never.",
    )
    handoff_grace_minutes = models.PositiveIntegerField(
        default=30, help_text="How long tickets wait for an assignee who is away, offline or on leave."
    )

    class Meta:
        ordering = ["name"]
        verbose_name = "SLA policy"
        verbose_name_plural = "SLA policies"

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        shares = self.score_refresh_shares
        if not isinstance(shares, list) or not all(
            isinstance(s, int | float) and not isinstance(s, bool) and 0 < s < 1 for s in shares
        ):
            raise ValidationError(
                {"score_refresh_shares": ["Give a list of shares between 0 and 1, e.g. [0.5, 0.9]."]}
            )
        uses_functional = BreachAction.FUNCTIONAL in (
            self.first_response_action,
            self.next_reply_action,
            self.resolution_action,
            self.open_age_action,
        )
        if uses_functional and self.escalation_team_id is None:
            raise ValidationError({"escalation_team": ["Functional escalation needs a team to escalate to."]})

    def target_minutes(self, target: str) -> int:
        return {
            Target.FIRST_RESPONSE: self.first_response_minutes,
            Target.NEXT_REPLY: self.next_reply_minutes,
            Target.RESOLUTION: self.resolution_minutes,
        }[target]

    def breach_action(self, target: str) -> str:
        return {
            Target.FIRST_RESPONSE: self.first_response_action,
            Target.NEXT_REPLY: self.next_reply_action,
            Target.RESOLUTION: self.resolution_action,
        }[target]


class TicketSla(models.Model):
    """One ticket's SLA bookkeeping: paused time, the unanswered message, what already fired, and when
    the sweep must look next (`next_check_at`, indexed: the sweep reads only rows that are due).

    First-response and resolution markers fire once per ticket; next-reply markers hold the start of
    the window they fired for, so each new unanswered customer message opens a fresh window.
    """

    ticket = models.OneToOneField(
        "helpdesk.Ticket", on_delete=models.CASCADE, primary_key=True, related_name="sla_state"
    )
    policy = models.ForeignKey(SlaPolicy, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    next_check_at = models.DateTimeField(null=True, blank=True)

    paused_minutes = models.FloatField(default=0.0, help_text="Business minutes the clock stood still.")
    reply_paused_minutes = models.FloatField(
        default=0.0, help_text="Business minutes paused since the unanswered customer message."
    )
    awaiting_reply_since = models.DateTimeField(
        null=True, blank=True, help_text="The oldest customer message no one has answered yet."
    )
    touched_at = models.DateTimeField(null=True, blank=True, help_text="Last time an agent or router acted.")

    first_response_warned_at = models.DateTimeField(null=True, blank=True)
    first_response_breached_at = models.DateTimeField(null=True, blank=True)
    next_reply_warned_for = models.DateTimeField(null=True, blank=True)
    next_reply_breached_for = models.DateTimeField(null=True, blank=True)
    resolution_warned_at = models.DateTimeField(null=True, blank=True)
    resolution_breached_at = models.DateTimeField(null=True, blank=True)
    open_age_at = models.DateTimeField(null=True, blank=True)
    abandoned_at = models.DateTimeField(null=True, blank=True)
    abandoned_count = models.PositiveIntegerField(default=0)
    committed_due = models.JSONField(
        default=dict,
        blank=True,
        help_text="The due time each running window was last given, {target: [due, paused minutes then, "
        "window start]}: a later policy (an escalation) may bring it closer, never push it out.",
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "ticket SLA state"
        indexes = [
            models.Index(
                fields=["next_check_at"],
                name="ticketsla_next_check",
                condition=models.Q(next_check_at__isnull=False),
            )
        ]

    def __str__(self) -> str:
        return f"SLA of #{self.ticket_id}"
