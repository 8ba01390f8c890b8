"""Routing records: one row per routing run, with everything needed to explain it."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from escalation.routing.factors import FactorKey, validate_parameters
from escalation.routing.rules import check_rule, validate_rule
from helpdesk.models import Priority


class RoutingDecision(models.Model):
    """Why a ticket went where it went: factors, rules fired and every candidate agent considered."""

    ticket = models.ForeignKey("helpdesk.Ticket", on_delete=models.CASCADE, related_name="routing_decisions")
    at = models.DateTimeField(default=timezone.now)
    trigger = models.CharField(max_length=40, help_text="created, escalated, reopened, agent_available, ...")
    team = models.ForeignKey(
        "helpdesk.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    tier = models.ForeignKey(
        "helpdesk.Tier", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    agent = models.ForeignKey(
        "helpdesk.Agent", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    explanation = models.TextField(blank=True)
    factors = models.JSONField(default=list, blank=True, help_text="[{name, value, weight, contribution}]")
    candidates = models.JSONField(default=list, blank=True, help_text="[{agent, score, excluded_reason}]")
    rules_fired = models.JSONField(default=list, blank=True, help_text="[rule name]")
    triage = models.JSONField(
        default=dict, blank=True, help_text="What triage predicted, and from which source."
    )
    model_version = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["ticket", "-at"], name="decision_ticket_time")]

    def __str__(self) -> str:
        return f"#{self.ticket_id} {self.trigger} -> {self.agent or 'queue'}"


class ScoringFactor(models.Model):
    """One weighted input of the priority score. Value 0..1 (computed) x weight = points added."""

    key = models.CharField(max_length=30, choices=FactorKey.choices, unique=True)
    weight = models.FloatField(
        default=10.0,
        validators=[MinValueValidator(0.0), MaxValueValidator(100.0)],
        help_text="Points this factor adds at full strength (the score is capped at 100).",
    )
    is_active = models.BooleanField(default=True)
    parameters = models.JSONField(
        default=dict,
        blank=True,
        help_text="Factor settings, e.g. severity phrases or the renewal window; empty uses the defaults.",
    )

    class Meta:
        ordering = ["key"]

    def __str__(self) -> str:
        return f"{self.get_key_display()} ×{self.weight:g}"

    def clean(self) -> None:
        validate_parameters(self.key, self.parameters)


class PriorityThreshold(models.Model):
    """The lowest score at which a ticket gets this priority level."""

    priority = models.CharField(max_length=10, choices=Priority.choices, unique=True)
    min_score = models.FloatField(validators=[MinValueValidator(0.0), MaxValueValidator(100.0)])

    class Meta:
        ordering = ["-min_score"]

    def __str__(self) -> str:
        return f"{self.get_priority_display()} from {self.min_score:g}"


class EscalationRule(models.Model):
    """An explicit escalation criterion: a condition tree and actions, both structured data (never eval'd).

    The formats are documented in escalation/routing/rules.py; `clean()` refuses anything it does not know.
    """

    name = models.CharField(max_length=120, unique=True)
    order = models.PositiveIntegerField(default=100, help_text="Rules run from the lowest number up.")
    is_active = models.BooleanField(default=True)
    description = models.TextField(blank=True)
    conditions = models.JSONField(
        help_text='A tree of {"all": [...]}, {"any": [...]}, {"not": {...}} and leaves '
        '{"field": "text", "op": "contains_any", "value": ["data breach"]}.'
    )
    actions = models.JSONField(
        help_text='A list, e.g. [{"type": "route_to_team", "team": "Security"}, '
        '{"type": "set_priority", "priority": "urgent"}, {"type": "require_human"}].'
    )
    stop_processing = models.BooleanField(
        default=False, help_text="When this rule fires, the rules after it are not evaluated."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        validate_rule(self.conditions, self.actions)  # the schema holds for rows written in code, too
        super().save(*args, **kwargs)

    def clean(self) -> None:
        check_rule(self.conditions, self.actions)


class RoutingConfig(models.Model):
    """The router's knobs (a single row, edited in admin)."""

    hop_limit = models.PositiveSmallIntegerField(
        default=3, help_text="Team changes a ticket may make before it goes to the coordinator."
    )
    coordinator = models.ForeignKey(
        "helpdesk.Agent",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Owns tickets that bounce between teams. Empty: the lead of the ticket's team.",
    )
    skill_relax_minutes = models.PositiveIntegerField(
        default=15, help_text="After this wait, optional skills no longer exclude agents (required ones do)."
    )
    overflow_minutes = models.PositiveIntegerField(
        default=30, help_text="After this wait, agents of the next tier up may take the ticket."
    )
    skill_weight = models.FloatField(default=0.30, validators=[MinValueValidator(0.0)])
    load_weight = models.FloatField(default=0.55, validators=[MinValueValidator(0.0)])
    stickiness_weight = models.FloatField(
        default=0.15,
        validators=[MinValueValidator(0.0)],
        help_text="Bonus for the agent who last served this customer with a good rating.",
    )
    good_csat = models.PositiveSmallIntegerField(
        default=4, validators=[MinValueValidator(1), MaxValueValidator(5)], help_text="A 'good' rating."
    )
    urgent_score = models.FloatField(
        default=70.0,
        validators=[MinValueValidator(0.0), MaxValueValidator(100.0)],
        help_text="From this priority score on, skill beats balance: load counts for less.",
    )
    urgent_load_factor = models.FloatField(
        default=0.25,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
        help_text="Multiplies the load weight for urgent tickets.",
    )
    frustration_rise = models.FloatField(
        default=0.3,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
        help_text="A rise in frustration this sharp (0..1) after a customer message re-routes the ticket.",
    )
    predictive_escalation = models.FloatField(
        default=0.7,  # docs/triage.md: the lowest threshold whose skips were needed at least 65% of the time
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
        help_text="From this predicted escalation probability on, a new ticket skips tier 1 and goes to the "
        "tier similar tickets ended at (1.0 turns it off).",
    )
    predicted_priority_confidence = models.FloatField(
        default=0.6,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
        help_text="From this probability on, the triage model's priority is a floor for the ticket's "
        "priority (1.0 turns it off).",
    )
    category_override_confidence = models.FloatField(
        default=0.85,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
        help_text="The model replaces the category a customer chose only from this confidence on; below "
        "it, its guess is shown as a suggestion.",
    )
    # Coverage: nothing strands when every qualified agent is away (escalation/coverage/).
    urgent_relax_required_minutes = models.PositiveIntegerField(
        default=30,
        help_text="An urgent ticket nobody eligible could take for this long may go to an agent without its "
        "required skills (0 turns it off).",
    )
    no_agent_alert_minutes = models.PositiveIntegerField(
        default=20,
        help_text="A ticket with no eligible agent for this long alerts the team lead (or every lead) once "
        "(0 turns it off).",
    )
    on_call_min_priority = models.CharField(
        max_length=10,
        choices=Priority.choices,
        default=Priority.HIGH,
        help_text="From this priority on, a team's on-call agents may take tickets outside their working "
        "hours or while away.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "routing configuration"
        verbose_name_plural = "routing configuration"

    def __str__(self) -> str:
        return "Routing configuration"

    def clean(self) -> None:
        if self.coordinator_id and not self.coordinator.sees_all_tickets:
            raise ValidationError({"coordinator": [ERR_COORDINATOR_NOT_LEAD]})

    @classmethod
    def load(cls) -> RoutingConfig:
        config, _ = cls.objects.get_or_create(pk=1)
        return config


ERR_COORDINATOR_NOT_LEAD = (
    "Choose a team lead or administrator: the coordinator must be able to work every team's tickets."
)
