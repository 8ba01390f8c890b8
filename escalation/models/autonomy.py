"""Autonomy data: confidence thresholds (global defaults, per-category settings), their change log, and one
record per ticket that automation answered or drafted for, with how that turned out.

Thresholds adapt from outcomes (escalation.autonomy.learning): the stored `adjustment` moves the
category's base threshold up after failures and down after runs of successes. Keeping the base and the
adjustment apart means an admin who edits the base keeps what was learned, and the effective value is
always clamped into the admin's bounds.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from helpdesk.models import Autonomy

UNIT = [MinValueValidator(0.0), MaxValueValidator(1.0)]


class AutonomyDefaults(models.Model):
    """Global defaults (a single row, edited in admin); each category may override any of them."""

    high_threshold = models.FloatField(
        default=0.85, validators=UNIT, help_text="From this confidence on, automation may answer."
    )
    review_threshold = models.FloatField(
        default=0.60, validators=UNIT, help_text="From this confidence on, a draft is prepared for review."
    )
    min_threshold = models.FloatField(
        default=0.70, validators=UNIT, help_text="Successes never lower the answer threshold below this."
    )
    max_threshold = models.FloatField(
        default=0.99, validators=UNIT, help_text="Failures never raise the answer threshold above this."
    )
    step = models.FloatField(
        default=0.03,
        validators=[MinValueValidator(0.0), MaxValueValidator(0.5)],
        help_text="How far one failure raises (or a run of successes lowers) the threshold.",
    )
    successes_to_lower = models.PositiveSmallIntegerField(
        default=5,
        validators=[MinValueValidator(1)],
        help_text="Consecutive successes that lower the threshold by one step.",
    )
    follow_up_days = models.PositiveSmallIntegerField(
        default=3,
        validators=[MinValueValidator(1)],
        help_text="Days to wait for the customer's answer, and to watch for a follow-up after it.",
    )
    low_csat = models.PositiveSmallIntegerField(
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text="A rating this low on an automatic resolution counts as a failure.",
    )
    # Relationship guardrails: whatever the model's confidence, these keep automation away from a
    # customer relationship at risk (escalation/relationship/guardrails.py).
    guard_mode = models.CharField(
        "at-risk relationships get",
        max_length=12,
        choices=[
            (Autonomy.HUMAN, "A human (no automation)"),
            (Autonomy.REVIEW, "A draft for review at most"),
        ],
        default=Autonomy.HUMAN,
    )
    guard_frustration = models.FloatField(
        "frustration guardrail",
        null=True,
        blank=True,
        default=0.6,
        validators=UNIT,
        help_text="Frustration (0..1) from which automation stays out. Empty: off.",
    )
    guard_repeat_tickets = models.PositiveSmallIntegerField(
        "repeat-contact guardrail",
        null=True,
        blank=True,
        default=3,
        validators=[MinValueValidator(2)],
        help_text="Tickets from the same customer within the repeat window (this one included) from "
        "which automation stays out. Empty: off.",
    )
    guard_repeat_days = models.PositiveSmallIntegerField(
        "repeat window (days)", default=7, validators=[MinValueValidator(1), MaxValueValidator(90)]
    )
    guard_renewal_days = models.PositiveSmallIntegerField(
        "renewal guardrail (days)",
        null=True,
        blank=True,
        default=60,
        help_text="VIP and enterprise accounts this close to their renewal date get people. Empty: off.",
    )
    guard_churn_risk = models.FloatField(
        "churn-risk guardrail",
        null=True,
        blank=True,
        default=0.6,
        validators=UNIT,
        help_text="Accounts with at least this churn risk (0..1) get people. Empty: off.",
    )
    guard_cancellation = models.BooleanField(
        "cancellation guardrail",
        default=True,
        help_text="A customer who talks about cancelling or not renewing gets people.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "autonomy defaults"
        verbose_name_plural = "autonomy defaults"

    def __str__(self) -> str:
        return "Autonomy defaults"

    def clean(self) -> None:
        check_bounds(self.review_threshold, self.high_threshold, self.min_threshold, self.max_threshold)

    @classmethod
    def load(cls) -> AutonomyDefaults:
        defaults, _ = cls.objects.get_or_create(pk=1)
        return defaults


OVERRIDES = (
    "high_threshold",
    "review_threshold",
    "min_threshold",
    "max_threshold",
    "step",
    "successes_to_lower",
    "follow_up_days",
    "low_csat",
)


def check_bounds(review: float, high: float, low: float, top: float) -> None:
    if not review <= high:
        raise ValidationError({"review_threshold": ["The review threshold must not exceed the high one."]})
    if not low <= high <= top:
        raise ValidationError(
            {"high_threshold": ["Keep the high threshold between the minimum and maximum."]}
        )


@dataclass(frozen=True)
class Thresholds:
    """A category's settings with the defaults filled in, and its current effective answer threshold."""

    high: float
    review: float
    low: float
    top: float
    step: float
    successes_to_lower: int
    follow_up_days: int
    low_csat: int
    effective: float


class CategoryAutonomy(models.Model):
    """A category's autonomy settings. Empty fields use the global defaults."""

    category = models.OneToOneField("helpdesk.Category", on_delete=models.CASCADE, related_name="autonomy")
    high_threshold = models.FloatField(null=True, blank=True, validators=UNIT)
    review_threshold = models.FloatField(null=True, blank=True, validators=UNIT)
    min_threshold = models.FloatField(null=True, blank=True, validators=UNIT)
    max_threshold = models.FloatField(null=True, blank=True, validators=UNIT)
    step = models.FloatField(
        null=True, blank=True, validators=[MinValueValidator(0.0), MaxValueValidator(0.5)]
    )
    successes_to_lower = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1)]
    )
    follow_up_days = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1)]
    )
    low_csat = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    adjustment = models.FloatField(
        default=0.0, help_text="Learned from outcomes: added to the high threshold (then kept within bounds)."
    )
    success_streak = models.JSONField(
        default=list, blank=True, help_text="Tickets of the current run of successes (ids), oldest first."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "category autonomy"
        verbose_name_plural = "category autonomy"

    def __str__(self) -> str:
        return f"Autonomy for {self.category}"

    def resolved(self, defaults: AutonomyDefaults | None = None) -> Thresholds:
        defaults = defaults or AutonomyDefaults.load()
        value = {
            name: getattr(defaults, name) if getattr(self, name) is None else getattr(self, name)
            for name in OVERRIDES
        }
        effective = max(
            value["min_threshold"], min(value["max_threshold"], value["high_threshold"] + self.adjustment)
        )
        return Thresholds(
            high=value["high_threshold"],
            review=value["review_threshold"],
            low=value["min_threshold"],
            top=value["max_threshold"],
            step=value["step"],
            successes_to_lower=value["successes_to_lower"],
            follow_up_days=value["follow_up_days"],
            low_csat=value["low_csat"],
            effective=round(effective, 4),
        )

    def clean(self) -> None:
        t = self.resolved()
        check_bounds(t.review, t.high, t.low, t.top)


class ThresholdChange(models.Model):
    """One move of a category's effective threshold, with what caused it. Written by code only."""

    setting = models.ForeignKey(CategoryAutonomy, on_delete=models.CASCADE, related_name="changes")
    at = models.DateTimeField(default=timezone.now)
    old = models.FloatField()
    new = models.FloatField()
    reason = models.CharField(max_length=300)
    evidence = models.JSONField(
        default=dict, blank=True, help_text="Ticket ids and counts behind the change."
    )

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["setting", "-at"], name="threshold_change_time")]

    def __str__(self) -> str:
        return f"{self.old:.2f} → {self.new:.2f}"


class Outcome(models.TextChoices):
    PENDING = "pending", "Pending"
    CONFIRMED = "confirmed", "Confirmed by the customer"
    UNANSWERED = "unanswered", "No reply within the window (counted as solved)"
    REOPENED = "reopened", "Did not help (reopened)"
    FOLLOWED_UP = "followed_up", "Customer came back about it"
    LOW_CSAT = "low_csat", "Rated low"
    APPROVED = "approved", "Draft approved"
    REJECTED = "rejected", "Draft discarded"


SUCCESSES = frozenset({Outcome.CONFIRMED, Outcome.UNANSWERED, Outcome.APPROVED})
FAILURES = frozenset({Outcome.REOPENED, Outcome.FOLLOWED_UP, Outcome.LOW_CSAT, Outcome.REJECTED})


class AutomationRecord(models.Model):
    """What automation did on one ticket (answered it, or drafted an answer for review) and the outcome."""

    ticket = models.OneToOneField("helpdesk.Ticket", on_delete=models.CASCADE, related_name="automation")
    mode = models.CharField(max_length=12, choices=[c for c in Autonomy.choices if c[0] != Autonomy.HUMAN])
    category = models.ForeignKey(
        "helpdesk.Category", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confidence = models.FloatField(null=True, blank=True)
    threshold = models.FloatField(null=True, blank=True, help_text="The effective threshold at the time.")
    article = models.ForeignKey(
        "helpdesk.Article", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    draft = models.TextField(blank=True, help_text="The answer sent (autonomous) or proposed (review).")
    outcome = models.CharField(max_length=12, choices=Outcome.choices, default=Outcome.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    outcome_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The agent who approved or discarded a draft.",
    )

    class Meta:
        indexes = [
            models.Index(fields=["mode", "outcome", "created_at"], name="automation_due"),
            models.Index(fields=["category", "outcome"], name="automation_category"),
        ]

    def __str__(self) -> str:
        return f"{self.get_mode_display()} on #{self.ticket_id}: {self.get_outcome_display()}"

    @property
    def is_pending(self) -> bool:
        return self.outcome == Outcome.PENDING
