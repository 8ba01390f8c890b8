"""Tickets, their conversation, their append-only event log and the customer's rating."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy


class Channel(models.TextChoices):
    PORTAL = "portal", gettext_lazy("Portal")
    EMAIL = "email", gettext_lazy("E-mail")
    API = "api", gettext_lazy("API")
    CHAT = "chat", gettext_lazy("Chat")
    PHONE = "phone", gettext_lazy("Phone")


class MessageChannel(models.TextChoices):
    """Where one message of the conversation was written: a ticket's channels, plus the agent workspace
    (replies and notes typed on the agent's ticket page)."""

    PORTAL = "portal", gettext_lazy("Portal")
    EMAIL = "email", gettext_lazy("E-mail")
    API = "api", gettext_lazy("API")
    CHAT = "chat", gettext_lazy("Chat")
    PHONE = "phone", gettext_lazy("Phone")
    WEB = "web", gettext_lazy("Agent workspace")


class Status(models.TextChoices):
    NEW = "new", gettext_lazy("New")
    OPEN = "open", gettext_lazy("Open")
    PENDING = "pending", gettext_lazy("Pending customer")
    ON_HOLD = "on_hold", gettext_lazy("On hold")
    RESOLVED = "resolved", gettext_lazy("Resolved")
    CLOSED = "closed", gettext_lazy("Closed")


OPEN_STATUSES = (Status.NEW, Status.OPEN, Status.PENDING, Status.ON_HOLD)


class Priority(models.TextChoices):
    LOW = "low", "Low"
    NORMAL = "normal", "Normal"
    HIGH = "high", "High"
    URGENT = "urgent", "Urgent"


PRIORITY_RANK = {Priority.LOW: 0, Priority.NORMAL: 1, Priority.HIGH: 2, Priority.URGENT: 3}


class Autonomy(models.TextChoices):
    AUTONOMOUS = "autonomous", "Autonomous"
    REVIEW = "review", "Review"
    HUMAN = "human", "Human"


class CategorySource(models.TextChoices):
    """Who set a ticket's category: the customer's choice, triage (model or keywords), a rule, an agent."""

    CUSTOMER = "customer", "Customer"
    MODEL = "model", "Model"
    RULE = "rule", "Rule"
    AGENT = "agent", "Agent"


class Trigger(models.TextChoices):
    """Who or what caused a change: the 'trigger' of escalations and routing runs."""

    MANUAL = "manual", "Manual"
    RULE = "rule", "Rule"
    SLA = "sla", "SLA"
    MODEL = "model", "Model"
    SENTIMENT = "sentiment", "Sentiment"
    ROUTING = "routing", "Routing"
    SYSTEM = "system", "System"


class Category(models.Model):
    """What a ticket is about. Triage predicts it; the portal form lets the customer pick one."""

    name = models.CharField(max_length=100, unique=True)
    description = models.TextField(blank=True)
    team = models.ForeignKey(
        "helpdesk.Team",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="categories",
        help_text="The team that normally owns this kind of ticket.",
    )
    required_skills = models.ManyToManyField("helpdesk.Skill", blank=True, related_name="categories")
    keywords = models.JSONField(
        default=list,
        blank=True,
        help_text='Words that suggest this category when no model is trained, e.g. ["invoice", "refund"].',
    )
    is_automatable = models.BooleanField(
        default=False,
        help_text="May be answered automatically from the knowledge base when confidence is high.",
    )
    customer_selectable = models.BooleanField(default=True, help_text="Offered in the portal form.")

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name


class Ticket(models.Model):
    subject = models.CharField(max_length=settings.TICKET_SUBJECT_MAX)
    body = models.TextField(validators=[MaxLengthValidator(settings.TICKET_BODY_MAX)])
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.PORTAL)
    language = models.CharField(max_length=8, default="en", help_text="ISO 639-1 code.")

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.NEW)
    priority = models.CharField(max_length=10, choices=Priority.choices, default=Priority.NORMAL)
    priority_score = models.FloatField(null=True, blank=True, help_text="0-100; higher is served first.")

    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.SET_NULL, related_name="tickets"
    )
    category_source = models.CharField(
        max_length=10,
        choices=CategorySource.choices,
        blank=True,
        help_text="Who set the category; empty while there is none.",
    )
    team = models.ForeignKey(
        "helpdesk.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="tickets"
    )
    tier = models.ForeignKey(
        "helpdesk.Tier", null=True, blank=True, on_delete=models.SET_NULL, related_name="tickets"
    )
    assignee = models.ForeignKey(
        "helpdesk.Agent", null=True, blank=True, on_delete=models.SET_NULL, related_name="assigned_tickets"
    )
    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="tickets")
    organization = models.ForeignKey(
        "helpdesk.Organization", null=True, blank=True, on_delete=models.PROTECT, related_name="tickets"
    )

    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    first_response_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    last_customer_message_at = models.DateTimeField(null=True, blank=True)
    last_agent_activity_at = models.DateTimeField(null=True, blank=True)

    # SLA: due times are written by the SLA policy code; the sweep reads them through indexes.
    first_response_due = models.DateTimeField(null=True, blank=True)
    next_reply_due = models.DateTimeField(null=True, blank=True)
    resolution_due = models.DateTimeField(null=True, blank=True)
    sla_paused_at = models.DateTimeField(null=True, blank=True)
    first_routed_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When routing first decided on the ticket; empty while it waits for that.",
    )
    sla_breached = models.BooleanField(default=False)

    reopen_count = models.PositiveIntegerField(default=0)
    escalation_count = models.PositiveIntegerField(default=0)

    # Triage results (the router fills them; null until it has run).
    sentiment = models.FloatField(null=True, blank=True, help_text="-1 (angry) ... +1 (happy).")
    frustration = models.FloatField(null=True, blank=True, help_text="0 (calm) ... 1 (furious).")
    escalation_probability = models.FloatField(null=True, blank=True)
    confidence = models.FloatField(null=True, blank=True)
    autonomy = models.CharField(max_length=12, choices=Autonomy.choices, null=True, blank=True)
    requires_human = models.BooleanField(default=False)
    required_skills = models.ManyToManyField("helpdesk.Skill", blank=True, related_name="tickets")

    is_flagged = models.BooleanField(default=False)
    flag_reason = models.CharField(max_length=200, blank=True)

    external_id = models.CharField(max_length=100, null=True, blank=True, unique=True)
    metadata = models.JSONField(default=dict, blank=True)

    tags = models.ManyToManyField("helpdesk.Tag", blank=True, related_name="tickets")
    followers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="followed_tickets",
        help_text="People told about every new message (agents, and colleagues of the customer in CC).",
    )
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="merged_from",
        help_text="Set when this ticket was merged: its number leads there.",
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "team", "-priority_score"], name="ticket_team_queue"),
            models.Index(fields=["assignee", "status"], name="ticket_assignee_status"),
            models.Index(fields=["status", "-priority_score", "created_at"], name="ticket_open_queue"),
            models.Index(fields=["customer", "-created_at"], name="ticket_customer"),
            # New tickets waiting for their first routing, oldest first (escalation.routing.batch takes them).
            models.Index(
                fields=["created_at"], name="ticket_unassigned_new", condition=Q(status="new", assignee=None)
            ),
            # An account's tickets over a period; the escalation count rides along so account health
            # and the accounts page count escalated tickets from the index alone.
            models.Index(
                fields=["organization", "-created_at"],
                name="ticket_organization",
                include=["escalation_count"],
            ),
            models.Index(fields=["-created_at"], name="ticket_created"),
            models.Index(fields=["first_response_due"], name="ticket_first_response_due"),
            models.Index(fields=["next_reply_due"], name="ticket_next_reply_due"),
            models.Index(fields=["resolution_due"], name="ticket_resolution_due"),
            # Analytics scan a creation-date range: with these columns in the index, PostgreSQL answers
            # from the index alone instead of reading the wide rows (subject, body) of every ticket.
            models.Index(
                fields=[
                    "created_at",
                    "escalation_count",
                    "sla_breached",
                    "resolved_at",
                    "first_response_at",
                    "autonomy",
                    "channel",
                    "reopen_count",
                    "team",
                    "tier",
                    "category",
                    "organization",
                    "customer",
                    "assignee",
                    "id",
                ],
                name="ticket_analytics",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.subject}"

    @property
    def number(self) -> str:
        return f"#{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def can_be_rated(self) -> bool:
        """Customers rate a ticket once, after it is resolved."""
        return self.status in (Status.RESOLVED, Status.CLOSED) and not hasattr(self, "csat")

    def sla_due(self) -> dt.datetime | None:
        """The earliest SLA deadline still ahead of this ticket (what the queue sorts on)."""
        if self.first_response_at is None and self.first_response_due:
            candidates = [self.first_response_due, self.resolution_due]
        else:
            candidates = [self.next_reply_due, self.resolution_due]
        return min((due for due in candidates if due), default=None)


class AuthorKind(models.TextChoices):
    CUSTOMER = "customer", "Customer"
    AGENT = "agent", "Agent"
    SYSTEM = "system", "System"


class Message(models.Model):
    """One entry of the ticket's conversation: a public reply or an internal note, from any channel."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="ticket_messages",
    )
    author_kind = models.CharField(max_length=10, choices=AuthorKind.choices)
    is_internal = models.BooleanField(
        default=False, help_text="Internal notes are never shown to the customer."
    )
    channel = models.CharField(
        max_length=10, choices=MessageChannel.choices, default=MessageChannel.PORTAL, blank=True
    )
    body = models.TextField(validators=[MaxLengthValidator(settings.TICKET_BODY_MAX)])
    sentiment = models.FloatField(null=True, blank=True)
    frustration = models.FloatField(null=True, blank=True)
    message_id = models.CharField(
        max_length=255,
        blank=True,
        default="",
        help_text="The e-mail Message-ID this message came or went with.",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["ticket", "created_at"], name="message_ticket_time"),
            models.Index(fields=["message_id"], name="message_email_id", condition=~models.Q(message_id="")),
        ]
        constraints = [
            # The same e-mail delivered twice (a retried webhook, a re-read mailbox) is one message.
            models.UniqueConstraint(
                fields=["ticket", "message_id"],
                condition=~models.Q(message_id=""),
                name="message_email_id_once_per_ticket",
            ),
        ]

    def __str__(self) -> str:
        kind = "note" if self.is_internal else "reply"
        return f"{kind} on #{self.ticket_id} by {self.author_kind}"


COPIED_REPLY_LABEL = "Reply from someone copied on the ticket"  # message.customer, not by the customer
# How each event code reads in the event log; fields come from the event's columns.
EVENT_LABELS: dict[str, str] = {
    "ticket.created": "Ticket created",
    "ticket.status_changed": "Status {from_value} → {to_value}",
    "ticket.priority_changed": "Priority {from_value} → {to_value}",
    "ticket.category_changed": "Category {from_value} → {to_value}",
    "ticket.team_changed": "Team {from_team} → {to_team}",
    "ticket.tier_changed": "Tier {from_tier} → {to_tier}",
    "ticket.assigned": "Assigned to {to_agent}",
    "ticket.unassigned": "Unassigned from {from_agent}",
    "ticket.declined": "Declined by {from_agent}",
    "ticket.resolved": "Resolved",
    "ticket.reopened": "Reopened",
    "ticket.flagged": "Flagged",
    "ticket.tagged": "Tags: {to_value}",
    "ticket.merged": "Merged into #{to_value}",
    "ticket.merged_in": "#{from_value} merged into this ticket",
    "ticket.linked": "Linked: {to_value}",
    "macro.applied": "Macro applied: {to_value}",
    "message.customer": "Customer replied",
    "message.agent": "Agent replied",
    "message.note": "Internal note added",
    "message.system": "Automatic reply sent",
    "escalation.functional": "Escalated to team {to_team} (functional)",
    "escalation.hierarchical": "Escalated {from_tier} → {to_tier} (hierarchical)",
    "csat.rated": "Customer rated {to_value}/5",
    "ticket.cc_added": "{to_value} copied on the ticket",
    "ticket.cc_removed": "{to_value} no longer copied",
    "csat.commented": "Customer commented on their rating",
    "sla.warning": "SLA warning: {to_value} due soon",
    "sla.breached": "SLA breached: {to_value}",
    "sla.open_age": "Open too long: fresh eyes requested",
    "sla.abandoned": "Untouched in the queue: flagged",
    "routing.decided": "Routed",
    "mail.failed": "E-mail to {to_value} could not be sent",
    "mail.sent_late": "E-mail to {to_value} sent after retrying",
    "routing.circular_blocked": "Stopped bouncing between teams: sent to the coordinator",
    "automation.replied": "Answered automatically",
    "automation.draft": "Draft reply prepared for review",
    "automation.rejected": "Customer said the automatic answer did not help",
    "automation.approved": "Draft reply approved and sent",
    "automation.discarded": "Draft reply discarded",
}


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):  # noqa: ARG002 - the signature must match QuerySet.update
        raise TypeError("The ticket event log is append-only: events cannot be updated.")

    def delete(self):
        raise TypeError("The ticket event log is append-only: events cannot be deleted.")


class TicketEvent(models.Model):
    """Append-only history of one ticket: every change, with actor, trigger, reason and time.

    `code` is dotted: ticket.created, ticket.status_changed, ticket.assigned, ticket.unassigned,
    ticket.priority_changed, ticket.team_changed, ticket.tier_changed, ticket.reopened, ticket.resolved,
    message.customer, message.agent, message.note, escalation.functional, escalation.hierarchical,
    csat.rated, sla.warning, sla.breached, routing.decided, routing.circular_blocked, ...
    Escalations carry their kind in the code and from/to in the team/tier/agent columns.
    """

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    code = models.CharField(max_length=64)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Empty when the system acted.",
    )
    trigger = models.CharField(max_length=12, choices=Trigger.choices, default=Trigger.MANUAL)
    reason = models.TextField(blank=True)
    from_team = models.ForeignKey(
        "helpdesk.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    to_team = models.ForeignKey(
        "helpdesk.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    from_tier = models.ForeignKey(
        "helpdesk.Tier", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    to_tier = models.ForeignKey(
        "helpdesk.Tier", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    from_agent = models.ForeignKey(
        "helpdesk.Agent", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    to_agent = models.ForeignKey(
        "helpdesk.Agent", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    from_value = models.CharField(max_length=40, blank=True)
    to_value = models.CharField(max_length=40, blank=True)
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["ticket", "created_at"], name="event_ticket_time"),
            models.Index(fields=["code", "created_at"], name="event_code_time"),
            # Analytics: a ticket's escalations (first, last, later ones) straight from the index ...
            models.Index(
                fields=[
                    "ticket",
                    "created_at",
                    "from_team",
                    "to_team",
                    "from_tier",
                    "to_tier",
                    "from_agent",
                    "trigger",
                    "id",
                ],
                condition=models.Q(code__in=["escalation.functional", "escalation.hierarchical"]),
                name="event_escalations",
            ),
            # ... and the events analytics count per code over a time range, without reading the rows.
            models.Index(
                fields=["code", "created_at", "ticket", "from_agent", "to_agent", "id"],
                condition=models.Q(
                    code__in=[
                        "ticket.assigned",
                        "automation.replied",
                        "automation.rejected",
                        "sla.abandoned",
                        "routing.circular_blocked",
                    ]
                ),
                name="event_analytics_codes",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} on #{self.ticket_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise TypeError("The ticket event log is append-only: events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("The ticket event log is append-only: events cannot be deleted.")

    @property
    def label(self) -> str:
        """One line of plain text for the event log (select_related the from/to columns first)."""
        template = EVENT_LABELS.get(self.code, self.code)
        if self.code == "message.customer" and (self.details or {}).get("copied"):
            template = COPIED_REPLY_LABEL
        values = {
            name: (getattr(self, name) or "—")
            for name in ("from_team", "to_team", "from_tier", "to_tier", "from_agent", "to_agent")
            if "{" + name + "}" in template
        }
        return template.format(**values, from_value=self.from_value or "—", to_value=self.to_value or "—")

    @property
    def is_escalation(self) -> bool:
        return self.code.startswith("escalation.")


# The satisfaction scale as customers read it, best first.
SATISFACTION_LABELS = {
    5: gettext_lazy("Very satisfied"),
    4: gettext_lazy("Satisfied"),
    3: gettext_lazy("Neutral"),
    2: gettext_lazy("Dissatisfied"),
    1: gettext_lazy("Very dissatisfied"),
}


class Csat(models.Model):
    """The customer's rating of a resolved ticket: once per ticket."""

    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, related_name="csat")
    score = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(5)])
    comment = models.TextField(blank=True, validators=[MaxLengthValidator(5000)])
    what_went_wrong = models.TextField(
        blank=True,
        validators=[MaxLengthValidator(5000)],
        help_text="The customer's answer to the follow-up question asked after a low score.",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "CSAT rating"
        constraints = [
            models.CheckConstraint(condition=models.Q(score__gte=1, score__lte=5), name="csat_score_1_to_5"),
        ]

    def __str__(self) -> str:
        return f"{self.score}/5 for #{self.ticket_id}"

    @property
    def score_label(self) -> str:
        """The score in words ("Very satisfied"), in the active language."""
        return str(SATISFACTION_LABELS.get(self.score, self.score))
