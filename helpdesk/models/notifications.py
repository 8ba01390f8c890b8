"""In-app notifications: the bell on the agent pages."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

# What each kind of notification is called on the notifications page; others read as their code in words.
KIND_LABELS = {
    "assignment": "Assigned",
    "mention": "Mention",
    "followed": "Followed ticket",
    "rule": "Rule",
    "coverage": "No eligible agent",
    "routing.circular_blocked": "Bounce stopped",
    "sla.warning": "SLA warning",
    "sla.breached": "SLA breached",
    "sla.abandoned": "Abandoned",
    "account.at_risk": "Account at risk",
    "agent.status": "Agent status",
}


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    ticket = models.ForeignKey(
        "helpdesk.Ticket", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=40, help_text="assignment, escalation, sla.warning, sla.breached, ...")
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at", "-created_at"], name="notification_inbox")]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient}: {self.title}"

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind) or self.kind.replace(".", " ").replace("_", " ").capitalize()

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
