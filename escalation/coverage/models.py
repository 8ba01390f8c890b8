"""On-call duty per team, and the stretches tickets spent with no eligible agent."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone


class OnCall(models.Model):
    """An agent on call for a team: reachable for its high-priority tickets outside working hours."""

    team = models.ForeignKey("helpdesk.Team", on_delete=models.CASCADE, related_name="on_call")
    agent = models.ForeignKey("helpdesk.Agent", on_delete=models.CASCADE, related_name="on_call")
    starts_at = models.DateTimeField(null=True, blank=True, help_text="Empty: on call from now on.")
    ends_at = models.DateTimeField(null=True, blank=True, help_text="Empty: until removed.")
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = "on-call duty"
        verbose_name_plural = "on-call duty"
        ordering = ["team", "starts_at"]
        indexes = [models.Index(fields=["team", "ends_at"], name="on_call_team")]

    def __str__(self) -> str:
        return f"{self.agent} on call for {self.team}"

    def clean(self) -> None:
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": ["The duty must end after it starts."]})
        if self.agent_id and self.team_id and not self.agent.teams.filter(pk=self.team_id).exists():
            raise ValidationError({"agent": ["The agent must be a member of the team."]})

    @staticmethod
    def active_at(moment) -> Q:
        return (Q(starts_at__isnull=True) | Q(starts_at__lte=moment)) & (
            Q(ends_at__isnull=True) | Q(ends_at__gt=moment)
        )


class CoverageGap(models.Model):
    """A stretch of time a ticket waited in a team/tier queue while no agent at all was eligible."""

    ticket = models.ForeignKey("helpdesk.Ticket", on_delete=models.CASCADE, related_name="coverage_gaps")
    team = models.ForeignKey(
        "helpdesk.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    tier = models.ForeignKey(
        "helpdesk.Tier", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    priority = models.CharField(max_length=10, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    reasons = models.JSONField(default=dict, blank=True, help_text="Why agents were excluded: {code: count}.")
    alerted_at = models.DateTimeField(null=True, blank=True, help_text="When the lead was told.")

    class Meta:
        ordering = ["-started_at"]
        indexes = [
            models.Index(fields=["started_at"], name="coverage_gap_started"),
            models.Index(fields=["ticket"], condition=Q(ended_at=None), name="coverage_gap_open"),
        ]

    def __str__(self) -> str:
        return f"#{self.ticket_id} uncovered since {self.started_at:%Y-%m-%d %H:%M}"

    def minutes(self, now=None) -> float:
        end = self.ended_at or now or timezone.now()
        return max(0.0, (end - self.started_at).total_seconds() / 60)
