"""Admin for trained triage model versions: read-only metrics, and "Activate" for rollback."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.html import format_html

from escalation.models import TriageModelVersion
from escalation.triage.store import activate_version


@admin.register(TriageModelVersion)
class TriageModelVersionAdmin(admin.ModelAdmin):
    list_display = [
        "version",
        "is_active",
        "trained_at",
        "rows",
        "holdout_rows",
        "team_macro_f1",
        "team_ece",
        "size",
    ]
    list_filter = ["is_active"]
    actions = ["activate"]
    exclude = ["artifact"]
    readonly_fields = [
        "version",
        "trained_at",
        "trained_since",
        "rows",
        "holdout_rows",
        "seconds",
        "metrics",
        "artifact_bytes",
        "is_active",
        "activated_at",
        "model_card",
    ]

    def has_add_permission(self, request) -> bool:  # versions come from training only
        return False

    @admin.display(description="Team macro-F1")
    def team_macro_f1(self, obj: TriageModelVersion) -> str:
        value = obj.head_metric("team", "macro_f1")
        return f"{value:.3f}" if value is not None else "—"

    @admin.display(description="Team calibration error")
    def team_ece(self, obj: TriageModelVersion) -> str:
        value = obj.head_metric("team", "ece")
        return f"{value:.3f}" if value is not None else "—"

    @admin.display(description="Size")
    def size(self, obj: TriageModelVersion) -> str:
        return f"{obj.artifact_bytes / 1_000_000:.1f} MB"

    @admin.display(description="Model card")
    def model_card(self, obj: TriageModelVersion) -> str:
        return format_html('<a href="/analytics/model/?version={}">Open the model card</a>', obj.pk)

    @admin.action(description="Activate the selected version (rollback or roll forward)")
    def activate(self, request, queryset) -> None:
        if queryset.count() != 1:
            self.message_user(request, "Select exactly one version to activate.", messages.ERROR)
            return
        version = queryset.get()
        activate_version(version)
        self.message_user(request, f"Version {version.version} is now active; new tickets use it at once.")
