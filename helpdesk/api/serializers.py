"""Output shapes of the API (the contract's field names). Inputs live next to their views."""

from __future__ import annotations

import copy
import datetime as dt

from django.urls import reverse
from django.utils import timezone
from rest_framework import serializers

from helpdesk.models import Agent, Attachment, Macro, Message, Ticket


class SlaSerializer(serializers.Serializer):
    first_response_due = serializers.DateTimeField(allow_null=True)
    next_reply_due = serializers.DateTimeField(allow_null=True)
    resolution_due = serializers.DateTimeField(allow_null=True)
    breached = serializers.BooleanField(source="sla_breached")
    paused = serializers.SerializerMethodField()
    clock = serializers.SerializerMethodField(
        help_text="running, paused (waiting on the customer) or stopped."
    )
    next_due = serializers.SerializerMethodField(help_text="The earliest deadline while the clock runs.")
    seconds_left = serializers.SerializerMethodField(help_text="Until next_due; negative when overdue.")

    def get_paused(self, ticket: Ticket) -> bool:
        return ticket.is_open and ticket.sla_paused_at is not None

    def get_clock(self, ticket: Ticket) -> str:
        if not ticket.is_open:
            return "stopped"
        return "paused" if ticket.sla_paused_at is not None else "running"

    def get_next_due(self, ticket: Ticket) -> dt.datetime | None:
        return ticket.sla_due() if self.get_clock(ticket) == "running" else None

    def get_seconds_left(self, ticket: Ticket) -> int | None:
        due = self.get_next_due(ticket)
        return None if due is None else int((due - timezone.now()).total_seconds())


class FieldsBuiltOnce:
    """A ModelSerializer introspects its model for every field each time it is instantiated (about a
    millisecond for a ticket, on every create and detail request). Build them once per class; each
    serializer gets deep copies, which is how DRF treats declared fields anyway. Only for serializers
    whose fields do not depend on the instance or the context."""

    def get_fields(self):
        cls = type(self)
        built = cls.__dict__.get("_fields_built_once")
        if built is None:
            built = super().get_fields()
            cls._fields_built_once = built
        return copy.deepcopy(built)

    @classmethod
    def represent(cls, instance) -> dict:
        """`cls(instance).data`, from one serializer per class that is bound once and then only read
        (copying and binding some thirty fields costs more than representing them)."""
        shared = cls.__dict__.get("_shared")
        if shared is None:
            shared = cls._shared = cls()
        return shared.to_representation(instance)


class TicketSerializer(FieldsBuiltOnce, serializers.ModelSerializer):
    category = serializers.CharField(source="category.name", allow_null=True, read_only=True)
    category_source = serializers.SerializerMethodField(
        help_text="Who set the category: customer, model, rule or agent; null while there is none."
    )
    team = serializers.CharField(source="team.name", allow_null=True, read_only=True)
    tier = serializers.IntegerField(source="tier.level", allow_null=True, read_only=True)
    assignee = serializers.CharField(source="assignee.user.username", allow_null=True, read_only=True)
    customer_email = serializers.EmailField(source="customer.email", read_only=True)
    organization = serializers.CharField(source="organization.name", allow_null=True, read_only=True)
    sla = SlaSerializer(source="*", read_only=True)
    tags = serializers.SerializerMethodField()

    class Meta:
        model = Ticket
        fields = [
            "id",
            "subject",
            "body",
            "channel",
            "status",
            "priority",
            "priority_score",
            "category",
            "category_source",
            "language",
            "team",
            "tier",
            "assignee",
            "customer_email",
            "organization",
            "sentiment",
            "frustration",
            "escalation_probability",
            "confidence",
            "autonomy",
            "requires_human",
            "sla",
            "reopen_count",
            "escalation_count",
            "first_response_at",
            "resolved_at",
            "created_at",
            "updated_at",
            "tags",
            "merged_into",
        ]
        read_only_fields = fields

    def get_tags(self, ticket: Ticket) -> list[str]:
        """Names, from a prefetch when the caller loaded one."""
        if ticket.pk is None:
            return []
        cache = getattr(ticket, "_prefetched_objects_cache", {})
        if "tags" in cache:
            return sorted(t.name for t in cache["tags"])
        return sorted(ticket.tags.values_list("name", flat=True))

    def get_category_source(self, ticket: Ticket) -> str | None:
        return (ticket.category_source or None) if ticket.category_id else None


class MacroSerializer(serializers.ModelSerializer):
    shared = serializers.BooleanField(source="is_shared", read_only=True)
    team = serializers.CharField(source="team.name", allow_null=True, read_only=True)

    class Meta:
        model = Macro
        fields = [
            "id",
            "name",
            "body",
            "shared",
            "team",
            "internal",
            "set_status",
            "set_priority",
            "add_tags",
            "escalate",
            "usage_count",
        ]
        read_only_fields = fields


class AttachmentSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = ["id", "name", "size", "content_type", "url"]
        read_only_fields = fields

    def get_url(self, attachment: Attachment) -> str:
        path = reverse("api-attachment", kwargs={"pk": attachment.pk})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class MessageSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author.username", allow_null=True, read_only=True)
    internal = serializers.BooleanField(source="is_internal", read_only=True)
    attachments = AttachmentSerializer(many=True, read_only=True)
    message_id = serializers.SerializerMethodField()

    class Meta:
        model = Message
        fields = [
            "id",
            "ticket",
            "author",
            "author_kind",
            "internal",
            "channel",
            "body",
            "created_at",
            "attachments",
            "message_id",
        ]
        read_only_fields = fields

    def get_message_id(self, message: Message) -> str | None:
        """The e-mail Message-ID, for messages that came or went by e-mail."""
        return message.message_id or None


class AgentSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username", read_only=True)
    name = serializers.CharField(source="user.get_full_name", read_only=True)
    tier = serializers.IntegerField(source="tier.level", read_only=True)
    teams = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)

    class Meta:
        model = Agent
        fields = [
            "username",
            "name",
            "role",
            "status",
            "status_changed_at",
            "tier",
            "teams",
            "capacity",
            "languages",
            "timezone",
        ]
        read_only_fields = fields
