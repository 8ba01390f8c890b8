"""Draft routing policies: the live policy with changes, tried on past tickets (escalation.simulate)
before anyone makes them live. Nothing routes by a draft."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models

LIVE = "live"  # the name that means the live policy; no draft may take it


class DraftPolicy(models.Model):
    name = models.CharField(
        max_length=40,
        unique=True,
        validators=[
            RegexValidator(r"^[A-Za-z0-9_-]+$", "Letters, digits, - and _ only (it is typed in commands).")
        ],
        help_text="How the what-if page and `manage.py simulate_routing --policy NAME` call it.",
    )
    description = models.TextField(blank=True)
    rules = models.JSONField(
        null=True,
        blank=True,
        help_text="The draft's escalation rules, in order, as a list of {name, conditions, actions, "
        "stop_processing} (the formats of the live rules). Empty: the live rules.",
    )
    factor_weights = models.JSONField(
        default=dict,
        blank=True,
        help_text='Priority-score weights that differ from the live ones: {"frustration": 25, '
        '"vip": 0}. A weight of 0 turns the factor off.',
    )
    thresholds = models.JSONField(
        default=dict,
        blank=True,
        help_text='Lowest scores of the priority levels that differ from the live ones: {"high": 40}.',
    )
    settings = models.JSONField(
        default=dict,
        blank=True,
        help_text='Router settings that differ from the live ones: {"skill_relax_minutes": 30}.',
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        """The name only: the policy parts are checked where they are compiled (escalation.simulate)."""
        if self.name and self.name.lower() == LIVE:
            raise ValidationError({"name": [f"“{LIVE}” means the live policy; choose another name."]})
