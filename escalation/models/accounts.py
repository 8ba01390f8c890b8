"""What we know about an account beyond its tickets: dated usage measures, commercial outcomes, and the
computed health with the reasons for it."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone


class UsageMeasure(models.TextChoices):
    """Product-usage measures the systems that own them may send (one value per day and measure)."""

    ACTIVE_USERS = "active_users", "Active users"
    LOGINS = "logins", "Logins"
    FEATURE_ADOPTION = "feature_adoption", "Feature adoption (share of features used, 0..1)"
    DATA_VOLUME = "data_volume", "Data volume (GB)"
    API_CALLS = "api_calls", "API calls"
    SEATS = "seats", "Licensed seats"


# Falling engagement is a warning sign; a sudden rise in load often comes with performance trouble.
ENGAGEMENT_MEASURES = (UsageMeasure.ACTIVE_USERS, UsageMeasure.LOGINS, UsageMeasure.FEATURE_ADOPTION)
LOAD_MEASURES = (UsageMeasure.DATA_VOLUME, UsageMeasure.API_CALLS)


class UsageRecord(models.Model):
    """One day's value of one usage measure for an organization; sending it again replaces the value."""

    organization = models.ForeignKey("helpdesk.Organization", on_delete=models.CASCADE, related_name="usage")
    date = models.DateField()
    measure = models.CharField(max_length=30, choices=UsageMeasure.choices)
    value = models.FloatField(validators=[MinValueValidator(0.0)])
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["organization", "measure", "date"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "date", "measure"], name="usage_one_per_day"),
            models.CheckConstraint(condition=models.Q(value__gte=0), name="usage_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.measure} {self.date}: {self.value:g}"


class OutcomeKind(models.TextChoices):
    RENEWED = "renewed", "Renewed"
    EXPANDED = "expanded", "Expanded"
    CONTRACTED = "contracted", "Contracted"
    CHURNED = "churned", "Churned"


class AccountOutcome(models.Model):
    """What became of the account commercially: renewed, expanded, contracted or churned, on a date."""

    organization = models.ForeignKey(
        "helpdesk.Organization", on_delete=models.CASCADE, related_name="outcomes"
    )
    kind = models.CharField(max_length=12, choices=OutcomeKind.choices)
    date = models.DateField()
    amount = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="The new yearly contract value, when the outcome changed it.",
    )
    note = models.CharField(max_length=500, blank=True)
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-date", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "kind", "date"], name="outcome_once_per_day"),
        ]

    def __str__(self) -> str:
        return f"{self.organization_id} {self.kind} on {self.date}"


class AccountHealth(models.Model):
    """One computed health of an account, with each factor's contribution and why (newest is current).

    A new row is kept when the score moved, the account crossed the threshold or its reasons changed;
    otherwise the latest row is refreshed in place, so the history shows changes rather than ticks.
    """

    organization = models.ForeignKey(
        "helpdesk.Organization", on_delete=models.CASCADE, related_name="health_history"
    )
    score = models.FloatField(help_text="0 (about to leave) ... 100 (healthy).")
    at_risk = models.BooleanField(default=False)
    threshold = models.FloatField(help_text="The at-risk threshold in force when computed.")
    factors = models.JSONField(default=list, help_text="[{name, label, value, contribution, explanation}]")
    reasons = models.JSONField(default=list, help_text="Names of the factors that weigh on the score.")
    trigger = models.CharField(max_length=20, default="schedule", help_text="schedule, ticket, usage, manual")
    alerted = models.BooleanField(default=False, help_text="The account manager was told about this one.")
    computed_at = models.DateTimeField(default=timezone.now)
    first_computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-computed_at", "-id"]
        verbose_name_plural = "account health history"
        indexes = [
            models.Index(fields=["organization", "-computed_at"], name="health_org_time"),
            models.Index(fields=["at_risk", "-computed_at"], name="health_risk_time"),
        ]

    def __str__(self) -> str:
        return f"{self.organization_id}: {self.score:.0f}{' at risk' if self.at_risk else ''}"


class AccountHealthSettings(models.Model):
    """The one row of account-health settings (admin-edited; pk 1)."""

    at_risk_below = models.FloatField(
        default=60.0,
        validators=[MinValueValidator(0.0), MaxValueValidator(100.0)],
        help_text="An account whose health falls below this score is at risk and is escalated to its manager.",
    )
    window_days = models.PositiveSmallIntegerField(
        default=30,
        validators=[MinValueValidator(7), MaxValueValidator(180)],
        help_text="The recent period compared with the account's own baseline.",
    )
    baseline_days = models.PositiveSmallIntegerField(
        default=90,
        validators=[MinValueValidator(14), MaxValueValidator(730)],
        help_text="The earlier period that says what is normal for this account.",
    )

    class Meta:
        verbose_name = "account health settings"
        verbose_name_plural = "account health settings"

    def __str__(self) -> str:
        return f"At risk below {self.at_risk_below:g}"

    @classmethod
    def current(cls) -> AccountHealthSettings:
        return cls.objects.filter(pk=1).first() or cls(pk=1)
