"""Routing records: one row per routing run, with everything needed to explain it."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class RoutingDecision(models.Model):
    """Why a ticket went where it went: factors, rules fired and every candidate agent considered."""

    ticket = models.ForeignKey("helpdesk.Ticket", on_delete=models.CASCADE, related_name="routing_decisions")
    at = models.DateTimeField(default=timezone.now)
    trigger = models.CharField(max_length=40, help_text="created, escalated, reopened, agent_available, ...")
    team = models.ForeignKey(
        "helpdesk.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    tier = models.ForeignKey(
        "helpdesk.Tier", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    agent = models.ForeignKey(
        "helpdesk.Agent", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    explanation = models.TextField(blank=True)
    factors = models.JSONField(default=list, blank=True, help_text="[{name, value, weight, contribution}]")
    candidates = models.JSONField(default=list, blank=True, help_text="[{agent, score, excluded_reason}]")
    rules_fired = models.JSONField(default=list, blank=True, help_text="[rule name]")
    triage = models.JSONField(
        default=dict, blank=True, help_text="What triage predicted, and from which source."
    )
    model_version = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["ticket", "-at"], name="decision_ticket_time")]

    def __str__(self) -> str:
        return f"#{self.ticket_id} {self.trigger} -> {self.agent or 'queue'}"


# SLA calendars, policies and per-ticket state live in their own module (issue 4).
from escalation.sla_models import (  # noqa: E402, F401
    BusinessCalendar,
    ClosedDay,
    SlaPolicy,
    TicketSla,
    WorkingPeriod,
)
