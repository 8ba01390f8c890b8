from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from escalation.models import EscalationRule, PriorityThreshold, RoutingConfig, RoutingDecision, ScoringFactor
from escalation.rules import describe_actions, describe_conditions


@admin.register(RoutingDecision)
class RoutingDecisionAdmin(admin.ModelAdmin):
    list_display = ["ticket", "at", "trigger", "team", "tier", "agent"]
    list_filter = ["trigger", "team", "tier"]
    list_select_related = ["ticket", "team", "tier", "agent__user"]
    raw_id_fields = ["ticket"]
    readonly_fields = [f.name for f in RoutingDecision._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False


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
            {"fields": ["conditions", "when"], "description": "See escalation/rules.py for the format."},
        ),
        ("Actions", {"fields": ["actions", "then"]}),
        (None, {"fields": ["updated_at"]}),
    ]

    @admin.display(description="When")
    def when(self, rule: EscalationRule) -> str:
        try:
            return describe_conditions(rule.conditions)
        except (KeyError, TypeError, AttributeError):
            return "(invalid)"

    @admin.display(description="Then")
    def then(self, rule: EscalationRule) -> str:
        try:
            return describe_actions(rule.actions)
        except (KeyError, TypeError, AttributeError):
            return "(invalid)"


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
        ("Customer writes again", {"fields": ["frustration_rise"]}),
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not RoutingConfig.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
