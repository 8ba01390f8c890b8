"""Django admin: where admins edit teams, tiers, skills, agents and customers, and read tickets."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import ngettext

from helpdesk.models import (
    Agent,
    AgentLeave,
    AgentSkill,
    Article,
    Category,
    Csat,
    Customer,
    LiveEvent,
    Message,
    Notification,
    Organization,
    Skill,
    Team,
    Ticket,
    TicketCc,
    TicketEvent,
    Tier,
)
from helpdesk.services.invitations import customer_invite


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = [
        "name", "segment", "annual_contract_value", "renewal_date", "churn_risk", "is_vip", "shared_inbox", "self_signup"
    ]
    list_filter = ["segment", "is_vip", "shared_inbox", "self_signup"]
    search_fields = ["name"]
    ordering = ["name"]


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["__str__", "email", "organization", "language", "is_admin"]
    list_filter = ["organization__segment", "language", "is_admin"]
    search_fields = ["user__email", "user__first_name", "user__last_name", "organization__name"]
    list_select_related = ["user", "organization"]
    autocomplete_fields = ["user", "organization"]
    actions = ["send_invitation"]

    @admin.action(description="Send a portal invitation (one-time link to set a password)")
    def send_invitation(self, request, queryset) -> None:
        sent = 0
        for customer in queryset.select_related("user"):
            if customer.user.email and customer.user.is_active:
                customer_invite(user=customer.user, invited_by=request.user)
                sent += 1
        self.message_user(
            request, ngettext("%d invitation sent.", "%d invitations sent.", sent) % sent, messages.SUCCESS
        )

    @admin.display(ordering="user__email")
    def email(self, obj: Customer) -> str:
        return obj.user.email


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "lead", "is_active", "member_count"]
    list_filter = ["is_active"]
    search_fields = ["name"]
    autocomplete_fields = ["lead"]

    @admin.display(description="Members")
    def member_count(self, obj: Team) -> int:
        return obj.agents.count()


@admin.register(Tier)
class TierAdmin(admin.ModelAdmin):
    list_display = ["level", "name", "first_response_minutes", "resolution_minutes"]
    ordering = ["level"]


@admin.register(Skill)
class SkillAdmin(admin.ModelAdmin):
    list_display = ["name", "kind"]
    list_filter = ["kind"]
    search_fields = ["name"]


class AgentSkillInline(admin.TabularInline):
    model = AgentSkill
    extra = 1
    autocomplete_fields = ["skill"]


class AgentLeaveInline(admin.TabularInline):
    model = AgentLeave
    extra = 0


@admin.register(Agent)
class AgentAdmin(admin.ModelAdmin):
    list_display = ["__str__", "username", "role", "tier", "status", "capacity", "timezone", "team_list"]
    list_filter = ["role", "tier", "status", "teams"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "user__email"]
    list_select_related = ["user", "tier"]
    filter_horizontal = ["teams"]
    autocomplete_fields = ["user", "backup"]
    inlines = [AgentSkillInline, AgentLeaveInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("teams")

    @admin.display(ordering="user__username")
    def username(self, obj: Agent) -> str:
        return obj.user.username

    @admin.display(description="Teams")
    def team_list(self, obj: Agent) -> str:
        return ", ".join(t.name for t in obj.teams.all())


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "team", "is_automatable", "customer_selectable"]
    list_filter = ["team", "is_automatable"]
    search_fields = ["name"]
    filter_horizontal = ["required_skills"]


class MessageInline(ReadOnlyInline):
    model = Message
    fields = ["created_at", "author", "author_kind", "is_internal", "channel", "body"]
    readonly_fields = fields


class TicketEventInline(ReadOnlyInline):
    model = TicketEvent
    fields = ["created_at", "description", "trigger", "actor", "reason"]
    readonly_fields = fields

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related(
                "actor", "from_team", "to_team", "from_tier", "to_tier", "from_agent__user", "to_agent__user"
            )
        )

    @admin.display(description="What happened")
    def description(self, obj: TicketEvent) -> str:
        return obj.label


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    """Read-mostly: tickets change through the workspace so that every change is logged."""

    list_display = [
        "id",
        "subject",
        "status",
        "priority",
        "priority_score",
        "team",
        "tier",
        "assignee",
        "organization",
        "created_at",
    ]
    list_filter = [
        "status",
        "priority",
        "channel",
        "team",
        "tier",
        "autonomy",
        "sla_breached",
        "organization__segment",
    ]
    search_fields = ["=id", "subject", "customer__email", "organization__name", "external_id"]
    list_select_related = ["team", "tier", "assignee__user", "organization"]
    date_hierarchy = "created_at"
    inlines = [MessageInline, TicketEventInline]
    readonly_fields = [
        "subject",
        "body",
        "channel",
        "status",
        "priority",
        "priority_score",
        "category",
        "team",
        "tier",
        "assignee",
        "customer",
        "organization",
        "created_at",
        "updated_at",
        "first_response_at",
        "resolved_at",
        "closed_at",
        "first_response_due",
        "next_reply_due",
        "resolution_due",
        "sla_breached",
        "reopen_count",
        "escalation_count",
        "sentiment",
        "frustration",
        "escalation_probability",
        "confidence",
        "autonomy",
        "external_id",
    ]
    fields = readonly_fields + ["is_flagged", "flag_reason", "metadata"]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(TicketCc)
class TicketCcAdmin(admin.ModelAdmin):
    list_display = ["ticket", "user", "added_by", "created_at"]
    raw_id_fields = ["ticket", "user", "added_by"]
    list_select_related = ["ticket", "user", "added_by"]


@admin.register(Csat)
class CsatAdmin(admin.ModelAdmin):
    list_display = ["ticket", "score", "created_at"]
    list_filter = ["score"]
    list_select_related = ["ticket"]
    raw_id_fields = ["ticket"]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["recipient", "kind", "title", "created_at", "read_at"]
    list_filter = ["kind"]
    list_select_related = ["recipient"]
    raw_id_fields = ["ticket", "recipient"]


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "is_published", "internal_only", "updated_at"]
    list_filter = ["is_published", "internal_only", "categories"]
    prepopulated_fields = {"slug": ["title"]}
    search_fields = ["title", "body"]
    filter_horizontal = ["categories"]
    raw_id_fields = ["source_ticket"]


@admin.register(LiveEvent)
class LiveEventAdmin(admin.ModelAdmin):
    list_display = ["id", "kind", "ticket", "created_at"]
    list_filter = ["kind"]
    raw_id_fields = ["ticket"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False
