"""The accounts page: who is at risk and why, retention after escalations, and how well health foresaw churn."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.utils import timezone

from analytics.filters import Filters
from analytics.metrics.accounts import accounts_report
from escalation.accounts.services import account_health_refresh
from escalation.models.accounts import AccountHealth, AccountOutcome
from helpdesk.models import Ticket
from tests.factories import CustomerFactory, OrganizationFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
YEAR = f"since={(TODAY - dt.timedelta(days=365)).isoformat()}&until={TODAY.isoformat()}"


@pytest.fixture
def troubled(lead):
    org = OrganizationFactory(name="Acme", account_manager=lead.user)
    customer = CustomerFactory(organization=org).user
    for n in range(6):
        Ticket.objects.create(
            subject=f"Broken {n}",
            body="Broken",
            customer=customer,
            organization=org,
            sentiment=-0.9,
            escalation_count=2,
            sla_breached=True,
        )
    account_health_refresh(organization_id=org.pk)
    return org


def _history(n_churned_low: int, n_retained_high: int):
    """Accounts whose health was computed a quarter before their outcome."""
    before = timezone.now() - dt.timedelta(days=120)
    outcome_day = TODAY - dt.timedelta(days=20)
    for i in range(n_churned_low + n_retained_high):
        churned = i < n_churned_low
        org = OrganizationFactory(name=f"Past {i}")
        score = 30 + i if churned else 80 + i
        AccountHealth.objects.create(
            organization=org,
            score=score,
            at_risk=score < 60,
            threshold=60,
            computed_at=before,
            first_computed_at=before,
        )
        AccountOutcome.objects.create(
            organization=org, kind="churned" if churned else "renewed", date=outcome_day
        )


def test_tier1_agents_cannot_open_pages_that_name_agents_or_accounts(client, agent, troubled):
    client.force_login(agent.user)
    assert client.get("/analytics/training/").status_code == 403
    assert client.get("/analytics/accounts/").status_code == 403
    assert client.get("/analytics/accounts/at_risk.csv").status_code == 403
    assert "/analytics/training/" not in client.get("/analytics/").content.decode()


def test_tier1_agents_get_403_from_the_api_too(api, agent):
    api.force_authenticate(agent.user)
    assert api.get("/api/analytics/pages/training/").status_code == 403


def test_leads_see_the_accounts_at_risk_with_reasons_and_csv(client, lead, troubled):
    client.force_login(lead.user)
    html = client.get(f"/analytics/accounts/?{YEAR}").content.decode()
    assert "Accounts at risk now" in html and "Acme" in html and "Escalations" in html
    exported = client.get(f"/analytics/accounts/at_risk.csv?{YEAR}")
    rows = list(csv.DictReader(io.StringIO(exported.content.decode())))
    assert [r["Organization"] for r in rows] == ["Acme"]
    assert rows[0]["Account manager"] == "lena"


def test_contract_values_read_as_whole_amounts(client, lead, troubled):
    troubled.annual_contract_value = Decimal("32500")
    troubled.save(update_fields=["annual_contract_value"])
    client.force_login(lead.user)
    html = client.get(f"/analytics/accounts/?{YEAR}").content.decode()
    assert "32,500" in html and "e+04" not in html


def test_health_history_lists_the_crossing(troubled):
    report = accounts_report(Filters(since=TODAY - dt.timedelta(days=7), until=TODAY))
    history = report.table("history").rows
    assert (
        history[0]["organization"] == "Acme"
        and history[0]["at_risk"] == "yes"
        and history[0]["alerted"] == "yes"
    )


def test_prediction_quality_is_measured_against_recorded_outcomes():
    _history(n_churned_low=5, n_retained_high=7)
    report = accounts_report(Filters(since=TODAY - dt.timedelta(days=365), until=TODAY))
    assert report.stat("auc") == 1.0  # every churned account scored below every retained one
    rows = {r["outcome"]: r for r in report.table("prediction").rows}
    assert rows["Churned"]["flagged"] == 1.0 and rows["Retained"]["flagged"] == 0.0
    assert any("AUC 1.00" in line and "better than chance" in line for line in report.highlights)


def test_a_handful_of_churned_accounts_is_not_called_a_prediction():
    _history(n_churned_low=1, n_retained_high=2)
    report = accounts_report(Filters(since=TODAY - dt.timedelta(days=365), until=TODAY))
    assert report.stat("auc") == 1.0
    assert any("not distinguishable from chance" in line for line in report.highlights)


def test_retention_is_compared_only_with_enough_outcomes_and_names_the_test():
    _history(n_churned_low=2, n_retained_high=2)
    report = accounts_report(Filters(since=TODAY - dt.timedelta(days=365), until=TODAY))
    assert not any("Fisher" in line for line in report.highlights)
    assert "Fisher's exact test" in report.table("retention").description
