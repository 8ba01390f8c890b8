"""Django admin: where admins edit teams, tiers, skills, agents and customers, and read tickets."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError

from helpdesk.mail.admin import OrganizationDomainInline
from helpdesk.models import (
    Agent,
    AgentLeave,
    AgentSkill,
    Article,
    Category,
    Csat,
    Customer,
    LiveEvent,
    Macro,
    Message,
    Notification,
    Organization,
    ReviewState,
    Role,
    SavedView,
    Skill,
    Tag,
    Team,
    Ticket,
    TicketEvent,
    TicketLink,
    Tier,
)
from helpdesk.services.article_review import article_approve, article_submit
from helpdesk.services.macros import macro_check


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
    inlines = [OrganizationDomainInline]
    list_display = [
        "name",
        "segment",
        "annual_contract_value",
        "renewal_date",
        "account_manager",
        "churn_risk",
        "health_score",
        "at_risk",
        "is_vip",
    ]
    list_filter = ["segment", "is_vip", "at_risk"]
    search_fields = ["name", "crm_id"]
    ordering = ["name"]
    autocomplete_fields = ["account_manager"]
    readonly_fields = ["health_score", "at_risk", "health_computed_at", "usage_trends"]


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["__str__", "email", "organization", "language"]
    list_filter = ["organization__segment", "language"]
    search_fields = ["user__email", "user__first_name", "user__last_name", "organization__name"]
    list_select_related = ["user", "organization"]
    autocomplete_fields = ["user", "organization"]

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
    """Articles and their review: the approve action works only for leads/admins of the article's team."""

    list_display = ["title", "review_state", "approved_by", "is_published", "updated_at"]
    list_filter = ["review_state", "is_published", "categories"]
    list_select_related = ["approved_by"]
    search_fields = ["title", "body"]
    filter_horizontal = ["categories"]
    raw_id_fields = ["source_ticket"]
    readonly_fields = ["review_state", "approved_by", "approved_at", "created_by"]
    actions = ["approve", "submit_for_review"]

    def save_model(self, request, obj, form, change) -> None:
        if not change:
            obj.created_by = request.user
            obj.review_state = ReviewState.IN_REVIEW
        super().save_model(request, obj, form, change)

    @admin.action(description="Approve for automatic answers (leads/admins of the article's team)")
    def approve(self, request, queryset) -> None:
        approved, refused = [], []
        for article in queryset:
            try:
                article_approve(article=article, reviewer=request.user)
                approved.append(article.title)
            except PermissionDenied:
                refused.append(article.title)
        if approved:
            self.message_user(request, f"Approved: {', '.join(approved)}.", messages.SUCCESS)
        if refused:
            self.message_user(
                request,
                f"Not approved (only a lead or an admin of the owning team may): {', '.join(refused)}.",
                messages.ERROR,
            )

    @admin.action(description="Send back to review")
    def submit_for_review(self, request, queryset) -> None:
        for article in queryset:
            article_submit(article=article)
        self.message_user(request, f"{queryset.count()} article(s) in review.", messages.SUCCESS)

    def get_actions(self, request):
        actions = super().get_actions(request)
        agent = getattr(request.user, "agent", None)
        may_review = request.user.is_superuser or (
            agent is not None and agent.role in (Role.LEAD, Role.ADMIN)
        )
        if not may_review:
            actions.pop("approve", None)
        return actions


@admin.register(LiveEvent)
class LiveEventAdmin(admin.ModelAdmin):
    list_display = ["id", "kind", "ticket", "created_at"]
    list_filter = ["kind"]
    raw_id_fields = ["ticket"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False


# --- the workspace: shared macros, tags, saved views, links -------------------------------------------


class MacroAdminForm(forms.ModelForm):
    class Meta:
        model = Macro
        fields = [
            "name",
            "body",
            "internal",
            "team",
            "owner",
            "is_active",
            "set_status",
            "set_priority",
            "add_tags",
            "escalate",
        ]

    def clean(self):
        cleaned = super().clean()
        candidate = Macro(
            set_status=cleaned.get("set_status", ""),
            set_priority=cleaned.get("set_priority", ""),
            escalate=cleaned.get("escalate", ""),
            add_tags=cleaned.get("add_tags") or [],
        )
        try:
            macro_check(candidate)
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                self.add_error(field if field in self.fields else None, messages)
        else:
            cleaned["add_tags"] = candidate.add_tags
        return cleaned


@admin.register(Macro)
class MacroAdmin(admin.ModelAdmin):
    """Shared canned replies (leave the owner empty), per team or for everyone."""

    form = MacroAdminForm
    list_display = (
        "name",
        "team",
        "owner",
        "internal",
        "set_status",
        "set_priority",
        "usage_count",
        "is_active",
    )
    list_filter = ("team", "is_active", "internal")
    search_fields = ("name", "body")
    readonly_fields = ("usage_count", "last_used_at")
    fieldsets = (
        (None, {"fields": ("name", "body", "internal", "team", "owner", "is_active")}),
        ("Also do", {"fields": ("set_status", "set_priority", "add_tags", "escalate")}),
        ("Use", {"fields": ("usage_count", "last_used_at")}),
    )


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ("name", "created_at")
    search_fields = ("name",)


@admin.register(SavedView)
class SavedViewAdmin(admin.ModelAdmin):
    list_display = ("name", "owner", "shared_with", "query")
    list_filter = ("shared_with",)


@admin.register(TicketLink)
class TicketLinkAdmin(admin.ModelAdmin):
    list_display = ("source", "kind", "target", "created_by", "created_at")
    raw_id_fields = ("source", "target")
