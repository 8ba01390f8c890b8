"""Files that travel with a message: uploads in the portal, the agent workspace, the API, and e-mail parts."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


def attachment_path(instance: Attachment, filename: str) -> str:
    """Stored under a random name: the customer's file name is kept as data, never as a path."""
    return f"attachments/{timezone.now():%Y/%m}/{uuid.uuid4().hex}"


class Attachment(models.Model):
    """One stored file of a message. Who may download it follows the message: an internal note's files
    stay with the agents, a ticket's files with the people who may see the ticket."""

    message = models.ForeignKey(
        "helpdesk.Message", on_delete=models.CASCADE, related_name="attachments", null=True, blank=True
    )
    ticket = models.ForeignKey("helpdesk.Ticket", on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=255)
    name = models.CharField(max_length=255, help_text="The file name as the sender gave it (display only).")
    size = models.PositiveBigIntegerField()
    content_type = models.CharField(
        max_length=100, help_text="Derived from the name's extension by us, never taken from the sender."
    )
    is_inline = models.BooleanField(default=False, help_text="An image shown inside an e-mail's body.")
    content_id = models.CharField(max_length=255, blank=True, help_text="The e-mail part's Content-ID.")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.name} on #{self.ticket_id}"

    @property
    def is_image(self) -> bool:
        """Raster images we preview in the page; SVG is excluded because it can carry scripts."""
        return self.content_type in {"image/png", "image/jpeg", "image/gif", "image/webp"}
