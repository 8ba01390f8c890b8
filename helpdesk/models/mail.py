"""E-mail as a channel: the mailboxes we read, every e-mail that came in (kept whole), every e-mail we
sent a customer (with its delivery state), the other people copied on a ticket, and the domains that
tell which organization a new sender belongs to."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone


class Mailbox(models.Model):
    """An address customers write to, read over IMAP. Its team is a routing hint for the tickets it
    opens (billing@ → Billing); the router may still decide otherwise."""

    name = models.CharField(max_length=100, unique=True)
    email_address = models.EmailField(unique=True, help_text="The address customers write to.")
    team = models.ForeignKey(
        "helpdesk.Team",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="mailboxes",
        help_text="Suggested team for new tickets from this mailbox (the router has the last word).",
    )
    imap_host = models.CharField(max_length=255, blank=True, help_text="Leave empty for webhook/pipe only.")
    imap_port = models.PositiveIntegerField(default=993)
    imap_ssl = models.BooleanField("IMAP over TLS", default=True)
    imap_username = models.CharField(max_length=255, blank=True)
    imap_password = models.CharField(max_length=255, blank=True)
    imap_folder = models.CharField(max_length=255, default="INBOX")
    is_active = models.BooleanField(default=True)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "mailboxes"

    def __str__(self) -> str:
        return f"{self.name} <{self.email_address}>"

    @property
    def polls_imap(self) -> bool:
        return bool(self.is_active and self.imap_host and self.imap_username)


class InboundOutcome(models.TextChoices):
    CREATED = "created", "Opened a ticket"
    THREADED = "threaded", "Added to a ticket"
    IGNORED = "ignored", "Ignored"
    FAILED = "failed", "Failed"


class InboundEmail(models.Model):
    """One e-mail as it arrived, byte for byte, and what became of it. Agents can read the whole
    original of a message whose shown text was trimmed of quoted history and signatures."""

    via = models.CharField(max_length=10, help_text="webhook, pipe or imap")
    mailbox = models.ForeignKey(Mailbox, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    raw = models.BinaryField()
    message_id_header = models.CharField("Message-ID", max_length=255, blank=True)
    sender = models.EmailField(max_length=254, blank=True)
    subject = models.CharField(max_length=255, blank=True)
    text = models.TextField(blank=True, help_text="The whole text, before trimming.")
    html = models.TextField(blank=True, help_text="The HTML part, sanitised.")
    outcome = models.CharField(max_length=10, choices=InboundOutcome.choices)
    reason = models.CharField(max_length=200, blank=True)
    ticket = models.ForeignKey(
        "helpdesk.Ticket", null=True, blank=True, on_delete=models.SET_NULL, related_name="inbound_emails"
    )
    message = models.ForeignKey(
        "helpdesk.Message", null=True, blank=True, on_delete=models.SET_NULL, related_name="inbound_emails"
    )
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["sender", "-received_at"], name="inbound_sender_time"),
            models.Index(fields=["message_id_header"], name="inbound_message_id"),
        ]

    def __str__(self) -> str:
        return f"{self.sender}: {self.subject} ({self.outcome})"


class OutboundKind(models.TextChoices):
    ACKNOWLEDGEMENT = "ack", "Acknowledgement"
    REPLY = "reply", "Reply"
    PENDING = "pending", "Waiting for you"
    RESOLVED = "resolved", "Resolved, with rating request"
    COPIED = "copied", "Written by someone copied on the ticket"


class OutboundState(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed (will retry)"
    GAVE_UP = "gave_up", "Failed"


class OutboundEmail(models.Model):
    """One e-mail to a customer, from the moment it is due until the mail server took it. A send that
    failed stays here (and on the ticket's event log), retried until it goes or we give up."""

    ticket = models.ForeignKey("helpdesk.Ticket", on_delete=models.CASCADE, related_name="outbound_emails")
    message = models.ForeignKey(
        "helpdesk.Message", null=True, blank=True, on_delete=models.SET_NULL, related_name="outbound_emails"
    )
    event = models.OneToOneField(
        "helpdesk.TicketEvent",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="outbound_email",
        help_text="The ticket event that made this e-mail due (sent once per event).",
    )
    kind = models.CharField(max_length=10, choices=OutboundKind.choices)
    to = models.CharField(max_length=1000)
    subject = models.CharField(max_length=255)
    message_id_header = models.CharField("Message-ID", max_length=255, unique=True)
    state = models.CharField(max_length=10, choices=OutboundState.choices, default=OutboundState.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["next_attempt_at"], name="outbound_retry_due", condition=Q(state="failed")),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for #{self.ticket_id} to {self.to} ({self.state})"


class TicketCc(models.Model):
    """Someone copied on a ticket's e-mails: they may write into it and hear back with the customer."""

    ticket = models.ForeignKey("helpdesk.Ticket", on_delete=models.CASCADE, related_name="ccs")
    email = models.EmailField(max_length=254)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = "CC on a ticket"
        constraints = [models.UniqueConstraint(fields=["ticket", "email"], name="ticket_cc_unique")]

    def __str__(self) -> str:
        return f"{self.email} on #{self.ticket_id}"


class OrganizationDomain(models.Model):
    """An e-mail domain of an organization: a new sender from it joins that organization."""

    organization = models.ForeignKey(
        "helpdesk.Organization", on_delete=models.CASCADE, related_name="email_domains"
    )
    domain = models.CharField(max_length=253, unique=True, help_text="e.g. acme.com (lower case, no @).")

    class Meta:
        ordering = ["domain"]

    def __str__(self) -> str:
        return self.domain

    def save(self, *args, **kwargs) -> None:
        self.domain = self.domain.strip().lstrip("@").lower()
        super().save(*args, **kwargs)
