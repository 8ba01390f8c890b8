"""Admin for account health: the at-risk threshold, usage series, outcomes and the health history."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from escalation.models.accounts import AccountHealth, AccountHealthSettings, AccountOutcome, UsageRecord


@admin.register(AccountHealthSettings)
class AccountHealthSettingsAdmin(admin.ModelAdmin):
    list_display = ["__str__", "window_days", "baseline_days"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not AccountHealthSettings.objects.exists()


@admin.register(UsageRecord)
class UsageRecordAdmin(admin.ModelAdmin):
    list_display = ["organization", "measure", "date", "value"]
    list_filter = ["measure"]
    search_fields = ["organization__name"]
    date_hierarchy = "date"
    autocomplete_fields = ["organization"]


@admin.register(AccountOutcome)
class AccountOutcomeAdmin(admin.ModelAdmin):
    list_display = ["organization", "kind", "date", "amount"]
    list_filter = ["kind"]
    search_fields = ["organization__name"]
    date_hierarchy = "date"
    autocomplete_fields = ["organization"]


@admin.register(AccountHealth)
class AccountHealthAdmin(admin.ModelAdmin):
    """Computed, never typed: read-only."""

    list_display = ["organization", "score", "at_risk", "reasons", "alerted", "computed_at"]
    list_filter = ["at_risk", "alerted"]
    search_fields = ["organization__name"]
    readonly_fields = [f.name for f in AccountHealth._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
