"""Customers helping themselves: invitations into the portal, votes on help articles, and questions an
article answered without a ticket."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class InvitationPurpose(models.TextChoices):
    INVITE = "invite", "Invitation"
    SIGNUP = "signup", "Sign-up confirmation"


class Invitation(models.Model):
    """A one-time, expiring link that lets a customer set a password and signs them in.

    Only a hash of the token is stored: the link in the e-mail is the only copy of the token itself.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="invitations")
    token_hash = models.CharField(max_length=64, unique=True)
    purpose = models.CharField(
        max_length=10, choices=InvitationPurpose.choices, default=InvitationPurpose.INVITE
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} for {self.user}"

    def is_expired(self, now=None) -> bool:
        return (now or timezone.now()) >= self.expires_at


class ArticleVote(models.Model):
    """A reader's answer to "Was this helpful?": one per reader (signed-in user or browser session)."""

    article = models.ForeignKey("helpdesk.Article", on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    voter = models.CharField(max_length=80, help_text="user:<id> or session:<key>: one vote per reader.")
    helpful = models.BooleanField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["article", "voter"], name="article_vote_once")]
        indexes = [models.Index(fields=["created_at"], name="article_vote_time")]

    def __str__(self) -> str:
        return f"{'helpful' if self.helpful else 'not helpful'}: {self.article_id}"


class Deflection(models.Model):
    """A question a help article answered before it became a ticket ("This solved it")."""

    article = models.ForeignKey("helpdesk.Article", on_delete=models.CASCADE, related_name="deflections")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    query = models.CharField(max_length=500, blank=True, help_text="What the customer had typed.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["created_at"], name="deflection_time")]

    def __str__(self) -> str:
        return f"solved by article {self.article_id}"
