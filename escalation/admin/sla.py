"""Admin for SLA calendars and policies (editable) and each ticket's SLA state (read-only)."""

from __future__ import annotations

from django.contrib import admin

from escalation.models.sla import BusinessCalendar, ClosedDay, SlaPolicy, TicketSla, WorkingPeriod


class WorkingPeriodInline(admin.TabularInline):
    model = WorkingPeriod
    extra = 0


class ClosedDayInline(admin.TabularInline):
    model = ClosedDay
    extra = 0


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(admin.ModelAdmin):
    list_display = ["name", "timezone", "holiday_country", "holiday_subdivision"]
    search_fields = ["name"]
    inlines = [WorkingPeriodInline, ClosedDayInline]


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "is_active",
        "tier",
        "priority",
        "segment",
        "team",
        "category",
        "calendar",
        "first_response_minutes",
        "next_reply_minutes",
        "resolution_minutes",
    ]
    list_filter = ["is_active", "tier", "priority", "segment", "team", "calendar"]
    list_editable = ["is_active"]
    search_fields = ["name", "description"]
    list_select_related = ["tier", "team", "category", "calendar"]
    fieldsets = [
        (None, {"fields": ["name", "is_active", "description"]}),
        (
            "Which tickets (empty matches anything; the most specific matching policy wins)",
            {"fields": ["tier", "priority", "segment", "team", "category"]},
        ),
        (
            "Targets (business minutes of the calendar)",
            {"fields": ["calendar", "first_response_minutes", "next_reply_minutes", "resolution_minutes"]},
        ),
        ("Warnings and score refresh", {"fields": ["warning_share", "score_refresh_shares"]}),
        (
            "On breach",
            {
                "fields": [
                    "first_response_action",
                    "next_reply_action",
                    "resolution_action",
                    "escalation_team",
                ]
            },
        ),
        (
            "Stale and abandoned tickets",
            {"fields": ["open_age_hours", "open_age_action", "abandoned_hours", "handoff_grace_minutes"]},
        ),
    ]


@admin.register(TicketSla)
class TicketSlaAdmin(admin.ModelAdmin):
    list_display = ["ticket", "policy", "next_check_at", "awaiting_reply_since", "abandoned_count"]
    list_filter = ["policy"]
    list_select_related = ["ticket", "policy"]
    search_fields = ["=ticket__id"]
    readonly_fields = [f.name for f in TicketSla._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
