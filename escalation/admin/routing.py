from __future__ import annotations

import json

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.html import format_html

from escalation.models import EscalationRule, PriorityThreshold, RoutingConfig, RoutingDecision, ScoringFactor
from escalation.routing.rules import FORMAT_HELP, describe_actions, describe_conditions, validate_rule


@admin.register(RoutingDecision)
class RoutingDecisionAdmin(admin.ModelAdmin):
    list_display = ["ticket", "at", "trigger", "team", "tier", "agent"]
    list_filter = ["trigger", "team", "tier"]
    list_select_related = ["ticket", "team", "tier", "agent__user"]
    raw_id_fields = ["ticket"]
    readonly_fields = [f.name for f in RoutingDecision._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False


class IndentedJSONField(forms.JSONField):
    """A rule's JSON shown indented, one key per line, so a tree of conditions reads as a tree."""

    def prepare_value(self, value):
        if isinstance(value, forms.fields.InvalidJSONInput):
            return value  # what the admin typed, kept as typed next to its error
        return json.dumps(value, indent=2, ensure_ascii=False, cls=self.encoder)


RULE_JSON_WIDGET = forms.Textarea(attrs={"rows": 12, "cols": 90, "spellcheck": "false"})


@admin.register(EscalationRule)
class EscalationRuleAdmin(admin.ModelAdmin):
    """Rules are JSON edited by hand; the model's clean() refuses anything malformed, with a message."""

    list_display = ["order", "name", "is_active", "when", "then", "stop_processing"]
    list_display_links = ["name"]
    list_editable = ["order", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "description"]
    readonly_fields = ["when", "then", "updated_at"]
    fieldsets = [
        (None, {"fields": ["name", "order", "is_active", "stop_processing", "description"]}),
        (
            "Condition",
            {
                "fields": ["conditions", "when"],
                "description": "See escalation/routing/rules.py for the format.",
            },
        ),
        ("Actions", {"fields": ["actions", "then"]}),
        (None, {"fields": ["updated_at"]}),
    ]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name in ("conditions", "actions"):
            kwargs.update(form_class=IndentedJSONField, widget=RULE_JSON_WIDGET)
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_fieldsets(self, request: HttpRequest, obj=None):
        # The format reference sits right above the JSON fields (rendered as preformatted text).
        help_block = format_html('<pre class="rule-format">{}</pre>', FORMAT_HELP)
        return [
            (title, {**options, "description": help_block}) if title == "Condition" else (title, options)
            for title, options in super().get_fieldsets(request, obj)
        ]

    @admin.display(description="When")
    def when(self, rule: EscalationRule) -> str:
        return describe_conditions(rule.conditions) if self._valid(rule) else "—"

    @admin.display(description="Then")
    def then(self, rule: EscalationRule) -> str:
        return describe_actions(rule.actions) if self._valid(rule) else "—"

    @staticmethod
    def _valid(rule: EscalationRule) -> bool:
        """Describe only what is saved and well formed (an invalid form shows its errors instead)."""
        if rule.pk is None:
            return False
        try:
            validate_rule(rule.conditions, rule.actions)
        except ValidationError:
            return False
        return True


@admin.register(ScoringFactor)
class ScoringFactorAdmin(admin.ModelAdmin):
    list_display = ["key", "weight", "is_active", "parameters"]
    list_editable = ["weight", "is_active"]


@admin.register(PriorityThreshold)
class PriorityThresholdAdmin(admin.ModelAdmin):
    list_display = ["priority", "min_score"]
    list_editable = ["min_score"]


@admin.register(RoutingConfig)
class RoutingConfigAdmin(admin.ModelAdmin):
    """One row: adding is only possible while there is none, and it cannot be deleted."""

    list_display = ["__str__", "hop_limit", "coordinator", "skill_relax_minutes", "overflow_minutes"]
    raw_id_fields = ["coordinator"]
    fieldsets = [
        ("Circular routing", {"fields": ["hop_limit", "coordinator"]}),
        ("Waiting", {"fields": ["skill_relax_minutes", "overflow_minutes"]}),
        (
            "Choosing the agent",
            {
                "fields": [
                    "skill_weight",
                    "load_weight",
                    "stickiness_weight",
                    "good_csat",
                    "urgent_score",
                    "urgent_load_factor",
                ]
            },
        ),
        ("Customer writes again", {"fields": ["frustration_rise", "category_override_confidence"]}),
        ("Triage", {"fields": ["predictive_escalation", "predicted_priority_confidence"]}),
        (
            "Coverage (nothing strands)",
            {
                "fields": ["on_call_min_priority", "urgent_relax_required_minutes", "no_agent_alert_minutes"],
                "description": "On-call agents are set per team under On-call duty.",
            },
        ),
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not RoutingConfig.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
