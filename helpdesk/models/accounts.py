"""Customer accounts: the organization that pays, and the people who write in."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models


class Segment(models.TextChoices):
    TRIAL = "trial", "Trial"
    STANDARD = "standard", "Standard"
    PREMIUM = "premium", "Premium"
    ENTERPRISE = "enterprise", "Enterprise"


class Organization(models.Model):
    """A customer account, with the commercial facts that make its tickets more or less urgent."""

    name = models.CharField(max_length=200, unique=True)
    segment = models.CharField(max_length=20, choices=Segment.choices, default=Segment.STANDARD)
    annual_contract_value = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0"))
    renewal_date = models.DateField(null=True, blank=True)
    churn_risk = models.FloatField(
        default=0.0,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
        help_text="0 = safe, 1 = about to leave.",
    )
    is_vip = models.BooleanField("VIP", default=False)
    usage_notes = models.TextField(blank=True, help_text="What the account does with the product.")
    usage_metrics = models.JSONField(
        default=dict,
        blank=True,
        help_text='Product-usage figures, e.g. {"active_users": 120, "data_volume_trend": -0.35}.',
    )
    account_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="managed_organizations",
        help_text="Who owns the relationship; told first when the account turns at risk.",
    )
    crm_id = models.CharField("CRM id", max_length=100, blank=True, default="", db_index=True)
    # The latest computed account health (escalation.accounts keeps the history and the reasons);
    # kept here so ticket routing and the at-risk list read it without another query.
    health_score = models.FloatField(null=True, blank=True, help_text="0 (about to leave) ... 100 (healthy).")
    at_risk = models.BooleanField(default=False, db_index=True)
    health_computed_at = models.DateTimeField(null=True, blank=True)
    usage_trends = models.JSONField(
        default=dict,
        blank=True,
        help_text='Computed from the usage series: {measure: {"latest": v, "date": d, "change": {"30": 2.0}}}.',
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def days_to_renewal(self, today: dt.date) -> int | None:
        """Days until the contract renews; negative once the date has passed; None when unknown."""
        if self.renewal_date is None:
            return None
        return (self.renewal_date - today).days

    def usage_change(self, measure: str, days: int) -> float | None:
        """How much a usage measure changed over `days` days, as a fraction (2.0 = grew 200 %); None if unknown."""
        change = (self.usage_trends or {}).get(measure, {}).get("change", {}).get(str(days))
        return float(change) if change is not None else None


class Customer(models.Model):
    """A login that belongs to an organization and submits tickets."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="customer")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="customers")
    language = models.CharField(max_length=8, default="en")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["user__email"]

    def __str__(self) -> str:
        return self.user.get_full_name() or self.user.email or self.user.username
