"""Admin: on-call duty per team (edited), coverage gaps (read-only, written by routing)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from escalation.coverage.models import CoverageGap, OnCall


@admin.register(OnCall)
class OnCallAdmin(admin.ModelAdmin):
    list_display = ["agent", "team", "starts_at", "ends_at", "note"]
    list_filter = ["team"]
    list_select_related = ["agent__user", "team"]
    raw_id_fields = ["agent"]


@admin.register(CoverageGap)
class CoverageGapAdmin(admin.ModelAdmin):
    list_display = ["ticket", "team", "tier", "priority", "started_at", "ended_at", "alerted_at"]
    list_filter = ["team", "tier", "priority"]
    list_select_related = ["ticket", "team", "tier"]
    date_hierarchy = "started_at"
    readonly_fields = [
        "ticket",
        "team",
        "tier",
        "priority",
        "started_at",
        "ended_at",
        "reasons",
        "alerted_at",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
