"""The demo's accounts: past health and outcomes the accounts page can judge each other by."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command

from escalation.models.accounts import AccountHealth, AccountOutcome
from helpdesk.models import Organization

pytestmark = pytest.mark.django_db


def test_every_demo_outcome_is_judged_by_the_health_of_a_month_before():
    call_command("seed_demo", tickets=400, seed=3, stdout=io.StringIO())
    outcomes = list(AccountOutcome.objects.select_related("organization"))
    assert len(outcomes) >= 20
    for outcome in outcomes:
        month_before = outcome.date - dt.timedelta(days=30)
        latest = (
            AccountHealth.objects.filter(
                organization=outcome.organization, computed_at__date__lte=month_before
            )
            .order_by("-computed_at")
            .first()
        )
        assert latest is not None, outcome.organization.name
        assert (month_before - latest.computed_at.date()).days <= 7  # weekly, not two months stale
    assert not Organization.objects.exclude(health_history__trigger="history").exists()
