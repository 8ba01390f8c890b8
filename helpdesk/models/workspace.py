"""What agents add around a ticket while they work it: tags, links between tickets, canned replies
(macros), saved queue views, and who follows a ticket."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils import timezone


class Tag(models.Model):
    """A short label agents put on tickets ("refund", "outage-2024-05")."""

    name = models.CharField(max_length=50, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class LinkKind(models.TextChoices):
    RELATED = "related", "Related to"
    DUPLICATE = "duplicate", "Duplicate of"
    CAUSED_BY = "caused_by", "Caused by"


class TicketLink(models.Model):
    """`source` is <kind> `target`: #12 duplicate of #9, #15 caused by #3, #4 related to #7."""

    source = models.ForeignKey("helpdesk.Ticket", on_delete=models.CASCADE, related_name="links_out")
    target = models.ForeignKey("helpdesk.Ticket", on_delete=models.CASCADE, related_name="links_in")
    kind = models.CharField(max_length=12, choices=LinkKind.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["source", "target", "kind"], name="ticket_link_once"),
            models.CheckConstraint(
                condition=~models.Q(source=models.F("target")), name="ticket_link_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.source_id} {self.get_kind_display().lower()} #{self.target_id}"


class Macro(models.Model):
    """A canned reply, and what applying it also does to the ticket.

    Shared macros (no owner) are edited in the admin and offered to a team's agents (or to everyone when
    no team is set); personal macros belong to one agent. The body may use {{ customer_name }},
    {{ ticket_number }} and {{ agent_name }}: a fixed substitution, never a template.
    """

    name = models.CharField(max_length=100)
    body = models.TextField(
        blank=True,
        validators=[MaxLengthValidator(settings.TICKET_BODY_MAX)],
        help_text="Placeholders: {{ customer_name }}, {{ ticket_number }}, {{ agent_name }}.",
    )
    owner = models.ForeignKey(
        "helpdesk.Agent",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="macros",
        help_text="Empty for a shared macro.",
    )
    team = models.ForeignKey(
        "helpdesk.Team",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="macros",
        help_text="Shared macros: only this team's agents see it (empty: everyone).",
    )
    internal = models.BooleanField(default=False, help_text="Adds an internal note instead of a reply.")
    set_status = models.CharField(max_length=10, blank=True, help_text="pending, on_hold, open or resolved.")
    set_priority = models.CharField(max_length=10, blank=True)
    add_tags = models.JSONField(default=list, blank=True, help_text='Tag names, e.g. ["refund"].')
    escalate = models.CharField(
        max_length=12, blank=True, help_text="hierarchical: hand the ticket to the next tier up."
    )
    usage_count = models.PositiveIntegerField(default=0)
    last_used_at = models.DateTimeField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_shared(self) -> bool:
        return self.owner_id is None


class SavedView(models.Model):
    """A named queue filter and sort, shown as a tab: one agent's own, or shared with a team by a lead."""

    name = models.CharField(max_length=60)
    owner = models.ForeignKey("helpdesk.Agent", on_delete=models.CASCADE, related_name="saved_views")
    query = models.CharField(max_length=1000, help_text="The queue page's query string.")
    shared_with = models.ForeignKey(
        "helpdesk.Team", null=True, blank=True, on_delete=models.CASCADE, related_name="saved_views"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name
