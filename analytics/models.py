"""What analytics keeps: the per-day ticket facts the reports are computed from (analytics.facts)."""

from __future__ import annotations

from django.db import models


class FactDay(models.Model):
    """The facts of the tickets created on one day (site time zone), as packed arrays (FactColumn).

    A day with no row has no tickets: every ticket up to the watermark has its day here. `stale` days
    are rebuilt before the next report reads them."""

    day = models.DateField(primary_key=True)
    schema = models.PositiveIntegerField(help_text="The facts layout the day was built with.")
    tickets = models.PositiveIntegerField()
    escalations = models.PositiveIntegerField()
    vocabulary = models.JSONField(default=dict, help_text="Stored values behind each coded column.")
    built_at = models.DateTimeField()
    stale = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["day"], condition=models.Q(stale=True), name="factday_stale")]

    def __str__(self) -> str:
        return f"facts of {self.day}"


class FactColumn(models.Model):
    """One column of one day's facts: a numpy array's raw bytes (dtype fixed by the column's name)."""

    day = models.ForeignKey(FactDay, on_delete=models.CASCADE, related_name="columns")
    name = models.CharField(max_length=40)
    data = models.BinaryField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "name"], name="factcolumn_day_name")]

    def __str__(self) -> str:
        return f"{self.name} of {self.day_id}"


class FactWatermark(models.Model):
    """How far the facts have read: the newest event and ticket ids seen, and the ids below them that
    were missing then (a transaction may still commit them; when one appears, its day is rebuilt)."""

    events = models.BigIntegerField(default=0)
    tickets = models.BigIntegerField(default=0)
    missing_events = models.JSONField(default=list)
    missing_tickets = models.JSONField(default=list)
    schema = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"facts read up to event {self.events} and ticket {self.tickets}"
