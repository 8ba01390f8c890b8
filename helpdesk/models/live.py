"""The live-event outbox.

Every change that a browser should see is written here in the same transaction as the change itself,
so the web process can relay it to websocket clients after commit, and a client that reconnects can
ask for everything after the last id it saw. Rows are pruned after a retention period.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class LiveEvent(models.Model):
    kind = models.CharField(max_length=40, help_text="ticket.created, ticket.updated, message.created, ...")
    ticket = models.ForeignKey(
        "helpdesk.Ticket", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    groups = models.JSONField(
        default=list, help_text='Audience: group names such as "team.3", "agent.7", "customer.12", "leads".'
    )
    payload = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.pk} {self.kind} -> {', '.join(self.groups)}"
