"""Trained triage models: one row per version, with its held-out metrics and its pickled pipelines.

Exactly one version is active at a time (a partial unique constraint); training saves a new version and
activates it in one transaction, and admin can activate an older one again (rollback). Artifacts live in
the database so every web process and worker, on any host, loads the same bytes.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone


class TriageModelVersion(models.Model):
    version = models.CharField(max_length=40, unique=True, help_text="Training time, e.g. 20261123-154012.")
    trained_at = models.DateTimeField(default=timezone.now)
    trained_since = models.DateField(null=True, blank=True, help_text="Only tickets created from this day.")
    rows = models.PositiveIntegerField(
        default=0, help_text="Tickets learned from (all of them, after evaluation)."
    )
    holdout_rows = models.PositiveIntegerField(default=0, help_text="The newest 20%, kept aside to measure.")
    seconds = models.FloatField(default=0.0, help_text="How long training took.")
    metrics = models.JSONField(
        default=dict,
        blank=True,
        help_text="Per head (team, category, priority, escalation): held-out report.",
    )
    artifact = models.BinaryField(editable=False)
    artifact_bytes = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(default=False)
    activated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-trained_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"], condition=Q(is_active=True), name="one_active_triage_model"
            )
        ]

    def __str__(self) -> str:
        return f"{self.version}{' (active)' if self.is_active else ''}"

    def head_metric(self, head: str, name: str) -> float | None:
        value = (self.metrics.get(head) or {}).get(name)
        return value if isinstance(value, int | float) else None
