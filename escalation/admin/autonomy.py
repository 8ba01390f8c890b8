"""Admin for autonomy: global defaults, per-category thresholds (with their change history, read-only)
and the automation records. Threshold changes are written by the learning code only."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from escalation.models.autonomy import AutomationRecord, AutonomyDefaults, CategoryAutonomy, ThresholdChange


@admin.register(AutonomyDefaults)
class AutonomyDefaultsAdmin(admin.ModelAdmin):
    """One row: adding is only possible while there is none, and it cannot be deleted."""

    list_display = ["__str__", "high_threshold", "review_threshold", "min_threshold", "max_threshold", "step"]
    fieldsets = [
        ("Bands", {"fields": ["high_threshold", "review_threshold"]}),
        (
            "Learning from outcomes",
            {"fields": ["min_threshold", "max_threshold", "step", "successes_to_lower"]},
        ),
        ("Outcomes", {"fields": ["follow_up_days", "low_csat"]}),
        (
            "Relationship guardrails (beat any confidence)",
            {
                "fields": [
                    "guard_mode",
                    "guard_frustration",
                    ("guard_repeat_tickets", "guard_repeat_days"),
                    "guard_renewal_days",
                    "guard_churn_risk",
                    "guard_cancellation",
                ],
                "description": "A customer relationship at risk keeps automation out, whatever the model's "
                "confidence; the routing decision names the guardrail that held.",
            },
        ),
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not AutonomyDefaults.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class ThresholdChangeInline(admin.TabularInline):
    model = ThresholdChange
    fields = ["at", "old", "new", "reason", "evidence"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ["-at", "-id"]

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(CategoryAutonomy)
class CategoryAutonomyAdmin(admin.ModelAdmin):
    """Empty fields use the defaults. The learned adjustment can be reset to 0 by hand."""

    list_display = ["category", "automatable", "base", "effective", "bounds", "streak", "updated_at"]
    list_select_related = ["category"]
    search_fields = ["category__name"]
    readonly_fields = ["effective", "success_streak", "updated_at"]
    inlines = [ThresholdChangeInline]
    fieldsets = [
        (None, {"fields": ["category", "effective"]}),
        ("Bands (empty: the defaults)", {"fields": ["high_threshold", "review_threshold"]}),
        (
            "Learning from outcomes (empty: the defaults)",
            {
                "fields": [
                    "min_threshold",
                    "max_threshold",
                    "step",
                    "successes_to_lower",
                    "adjustment",
                    "success_streak",
                ]
            },
        ),
        ("Outcomes (empty: the defaults)", {"fields": ["follow_up_days", "low_csat", "updated_at"]}),
    ]

    @admin.display(boolean=True, description="Automatable")
    def automatable(self, obj: CategoryAutonomy) -> bool:
        return obj.category.is_automatable

    @admin.display(description="Base threshold")
    def base(self, obj: CategoryAutonomy) -> str:
        return f"{obj.resolved().high:.0%}"

    @admin.display(description="Effective threshold")
    def effective(self, obj: CategoryAutonomy) -> str:
        return f"{obj.resolved().effective:.0%}" if obj.category_id else "—"

    @admin.display(description="Bounds")
    def bounds(self, obj: CategoryAutonomy) -> str:
        t = obj.resolved()
        return f"{t.low:.0%}–{t.top:.0%}"

    @admin.display(description="Successes in a row")
    def streak(self, obj: CategoryAutonomy) -> int:
        return len(obj.success_streak or [])


@admin.register(AutomationRecord)
class AutomationRecordAdmin(admin.ModelAdmin):
    list_display = [
        "ticket",
        "mode",
        "category",
        "confidence",
        "article",
        "outcome",
        "created_at",
        "outcome_at",
    ]
    list_filter = ["mode", "outcome", "category"]
    list_select_related = ["ticket", "category", "article"]
    raw_id_fields = ["ticket"]
    readonly_fields = [f.name for f in AutomationRecord._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
