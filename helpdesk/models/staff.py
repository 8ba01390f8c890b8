"""Who answers tickets: functional teams, hierarchical tiers, skills and the agents who hold them."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"{value!r} is not a known time zone (e.g. Europe/Berlin).")


def default_work_days() -> list[int]:
    return [0, 1, 2, 3, 4]


def default_languages() -> list[str]:
    return ["en"]


class Team(models.Model):
    """A functional queue (Billing, Technical, ...). Functional escalation moves tickets between teams."""

    name = models.CharField(max_length=100, unique=True)
    description = models.TextField(blank=True)
    lead = models.ForeignKey(
        "helpdesk.Agent",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_teams",
        help_text="Owns tickets that bounce between teams; receives SLA breach alerts.",
    )
    is_active = models.BooleanField(default=True)
    email = models.EmailField(
        blank=True,
        help_text="Sender and Reply-To of e-mails to this team's customers (else HELPDESK_FROM_EMAIL).",
    )
    acknowledge_new_tickets = models.BooleanField(
        default=True, help_text="E-mail customers a confirmation with the ticket number when a ticket opens."
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Tier(models.Model):
    """A support level. Hierarchical escalation moves tickets to a higher level."""

    level = models.PositiveSmallIntegerField(unique=True, validators=[MinValueValidator(1)])
    name = models.CharField(max_length=60)
    first_response_minutes = models.PositiveIntegerField(default=60, help_text="Target for the first reply.")
    resolution_minutes = models.PositiveIntegerField(default=24 * 60, help_text="Target for resolution.")

    class Meta:
        ordering = ["level"]

    def __str__(self) -> str:
        return f"L{self.level} {self.name}"


class Skill(models.Model):
    class Kind(models.TextChoices):
        TECHNICAL = "technical", "Technical"
        PRODUCT = "product", "Product"
        LANGUAGE = "language", "Language"
        SOFT = "soft", "Soft skill"

    name = models.CharField(max_length=60, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.TECHNICAL)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    AGENT = "agent", "Agent"
    LEAD = "lead", "Team lead"
    ADMIN = "admin", "Administrator"


class AgentStatus(models.TextChoices):
    AVAILABLE = "available", "Available"
    AWAY = "away", "Away"
    OFFLINE = "offline", "Offline"


class Agent(models.Model):
    """A support person: where they sit (tier, teams), what they know, and how much they can take."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agent")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.AGENT)
    tier = models.ForeignKey(Tier, on_delete=models.PROTECT, related_name="agents")
    teams = models.ManyToManyField(Team, related_name="agents", blank=True)
    skills = models.ManyToManyField(Skill, through="AgentSkill", related_name="agents", blank=True)
    languages = models.JSONField(
        default=default_languages, blank=True, help_text='ISO codes, e.g. ["en", "de"].'
    )
    capacity = models.PositiveSmallIntegerField(default=8, help_text="Most open tickets at once.")
    status = models.CharField(max_length=10, choices=AgentStatus.choices, default=AgentStatus.OFFLINE)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    timezone = models.CharField(max_length=64, default="UTC", validators=[validate_timezone])
    work_start = models.TimeField(default=dt.time(9, 0))
    work_end = models.TimeField(default=dt.time(17, 0))
    work_days = models.JSONField(
        default=default_work_days, blank=True, help_text="0 = Monday ... 6 = Sunday."
    )
    backup = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="backup_for",
        help_text="Takes over open tickets when this agent is away, offline or on leave.",
    )
    email_notifications = models.BooleanField(default=True)

    class Meta:
        ordering = ["user__username"]
        indexes = [models.Index(fields=["status", "tier"])]

    def __str__(self) -> str:
        return self.user.get_full_name() or self.user.username

    @property
    def sees_all_tickets(self) -> bool:
        """Leads and admins work every queue; agents work their teams' tickets."""
        return self.role in (Role.LEAD, Role.ADMIN)

    def is_working_at(self, moment: dt.datetime) -> bool:
        """True when `moment` falls on a working day within working hours, in the agent's own time zone.

        Equal start and end mean around the clock. Hours that cross midnight (e.g. 22:00-06:00) belong
        to the day on which the shift starts.
        """
        local = moment.astimezone(zoneinfo.ZoneInfo(self.timezone))
        start, end, now = self.work_start, self.work_end, local.time()
        if start == end:
            return local.weekday() in self.work_days
        if start < end:
            return local.weekday() in self.work_days and start <= now < end
        if now >= start:
            return local.weekday() in self.work_days
        return (local.weekday() - 1) % 7 in self.work_days and now < end


class AgentSkill(models.Model):
    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="agent_skills")
    skill = models.ForeignKey(Skill, on_delete=models.CASCADE, related_name="agent_skills")
    proficiency = models.PositiveSmallIntegerField(
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text="1 = basic ... 5 = expert.",
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agent", "skill"], name="agent_skill_unique")]

    def __str__(self) -> str:
        return f"{self.skill} ({self.proficiency})"


class AgentLeave(models.Model):
    """A date range during which the agent receives no tickets."""

    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="leaves")
    starts_on = models.DateField()
    ends_on = models.DateField()
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="leave_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.agent}: {self.starts_on} - {self.ends_on}"

    def covers(self, day: dt.date) -> bool:
        return self.starts_on <= day <= self.ends_on
