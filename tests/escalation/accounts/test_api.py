"""The account API as a CRM or product-analytics integration uses it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from escalation.models.accounts import AccountOutcome, UsageRecord
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme():
    return OrganizationFactory(name="Acme", annual_contract_value=50_000)


def test_customers_cannot_read_or_change_accounts(api, customer, acme):
    api.force_authenticate(customer)
    assert api.get("/api/organizations/").status_code == 403
    assert api.patch(f"/api/organizations/{acme.pk}/", {"crm_id": "X"}, format="json").status_code == 403
    assert api.get(f"/api/organizations/{acme.pk}/health/").status_code == 403


def test_it_lists_organizations_with_their_account_facts(api, staff_user, acme):
    OrganizationFactory(name="Beta")
    api.force_authenticate(staff_user)
    body = api.get("/api/organizations/").json()
    names = [row["name"] for row in body["results"]]
    assert names == ["Acme", "Beta"]
    first = body["results"][0]
    assert first["id"] == acme.pk
    assert first["contract_value"] == "50000.00"
    assert first["at_risk"] is False


def test_it_updates_account_facts_from_the_crm(api, staff_user, lead, acme):
    api.force_authenticate(staff_user)
    response = api.patch(
        f"/api/organizations/{acme.pk}/",
        {
            "segment": "enterprise",
            "contract_value": "120000",
            "renewal_date": "2027-03-01",
            "account_manager": "lena",
            "crm_id": "0015g00000XyZ",
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["segment"] == "enterprise"
    assert body["contract_value"] == "120000.00"
    assert body["account_manager"] == "lena"
    acme.refresh_from_db()
    assert acme.account_manager == lead.user
    assert acme.renewal_date == dt.date(2027, 3, 1)
    assert acme.crm_id == "0015g00000XyZ"


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"segment": "galactic"}, "segment"),
        ({"contract_value": "-5"}, "contract_value"),
        ({"contract_value": "lots"}, "contract_value"),
        ({"renewal_date": "next spring"}, "renewal_date"),
        ({"account_manager": "nobody-here"}, "account_manager"),
        ({"crm_id": "x" * 101}, "crm_id"),
    ],
)
def test_bad_account_facts_are_refused_field_by_field(api, staff_user, acme, payload, field):
    api.force_authenticate(staff_user)
    response = api.patch(f"/api/organizations/{acme.pk}/", payload, format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_a_customer_cannot_be_made_account_manager(api, staff_user, customer, acme):
    api.force_authenticate(staff_user)
    response = api.patch(
        f"/api/organizations/{acme.pk}/", {"account_manager": customer.username}, format="json"
    )
    assert response.status_code == 400
    assert "account_manager" in response.json()


def test_usage_is_kept_per_day_and_measure_and_resending_replaces_it(api, staff_user, acme):
    api.force_authenticate(staff_user)
    today = timezone.localdate()
    month_ago = (today - dt.timedelta(days=30)).isoformat()
    series = [
        {"date": month_ago, "measure": "data_volume", "value": 100},
        {"date": today.isoformat(), "measure": "data_volume", "value": 250},
        {"date": today.isoformat(), "measure": "active_users", "value": 40},
    ]
    first = api.post(f"/api/organizations/{acme.pk}/usage/", series, format="json")
    assert first.status_code == 201, first.content
    assert first.json()["created"] == 3
    assert first.json()["usage_trends"]["data_volume"]["change"]["30"] == pytest.approx(1.5)

    again = api.post(
        f"/api/organizations/{acme.pk}/usage/",
        {"date": today.isoformat(), "measure": "data_volume", "value": 400},
        format="json",
    )
    assert again.status_code == 200
    assert again.json() | {"usage_trends": None} == {"created": 0, "updated": 1, "usage_trends": None}
    assert UsageRecord.objects.filter(organization=acme).count() == 3
    acme.refresh_from_db()
    assert acme.usage_change("data_volume", 30) == pytest.approx(3.0)


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"date": "2026-13-01", "measure": "logins", "value": 3}, "date"),
        ({"date": "2026-11-01", "measure": "vibes", "value": 3}, "measure"),
        ({"date": "2026-11-01", "measure": "logins", "value": -1}, "value"),
        ({"date": "2026-11-01", "measure": "logins"}, "value"),
        (
            [
                {"date": "2026-11-01", "measure": "logins", "value": 1},
                {"date": "x", "measure": "logins", "value": 1},
            ],
            "records[1].date",
        ),
        ([], "non_field_errors"),
    ],
)
def test_bad_usage_is_refused_and_nothing_is_stored(api, staff_user, acme, payload, field):
    api.force_authenticate(staff_user)
    response = api.post(f"/api/organizations/{acme.pk}/usage/", payload, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not UsageRecord.objects.exists()


def test_outcomes_are_recorded_once_per_kind_and_day(api, staff_user, acme):
    api.force_authenticate(staff_user)
    url = f"/api/organizations/{acme.pk}/outcomes/"
    assert (
        api.post(url, {"kind": "renewed", "date": "2026-10-01", "amount": "55000"}, format="json").status_code
        == 201
    )
    assert (
        api.post(url, {"kind": "renewed", "date": "2026-10-01", "amount": "56000"}, format="json").status_code
        == 200
    )
    assert api.post(url, {"kind": "left", "date": "2026-10-01"}, format="json").status_code == 400
    outcome = AccountOutcome.objects.get(organization=acme)
    assert outcome.amount == 56000
    assert api.get(url).json()[0]["kind"] == "renewed"


def test_health_explains_every_factor(api, staff_user, acme):
    api.force_authenticate(staff_user)
    body = api.get(f"/api/organizations/{acme.pk}/health/").json()
    assert set(body) >= {"score", "at_risk", "factors", "computed_at"}
    names = [f["name"] for f in body["factors"]]
    assert names == [
        "ticket_frequency",
        "sentiment_trend",
        "escalations",
        "csat_trend",
        "sla_breaches",
        "usage_trend",
        "renewal",
        "contract_value",
        "churn_risk",
    ]
    assert all(set(f) >= {"name", "value", "contribution", "explanation"} for f in body["factors"])
    # A quiet account loses only what the admin-typed churn risk (10 %) takes.
    assert body["score"] == pytest.approx(99.0)
    assert body["at_risk"] is False


def test_unknown_organization_is_404(api, staff_user):
    api.force_authenticate(staff_user)
    assert api.get("/api/organizations/999999/health/").status_code == 404
    assert api.post("/api/organizations/999999/usage/", {}, format="json").status_code == 404


def test_at_risk_filter(api, staff_user, acme):
    calm = OrganizationFactory(name="Calm")
    acme.at_risk = True
    acme.save()
    api.force_authenticate(staff_user)
    assert [o["name"] for o in api.get("/api/organizations/?at_risk=true").json()["results"]] == ["Acme"]
    assert [o["name"] for o in api.get("/api/organizations/?at_risk=false").json()["results"]] == ["Calm"]
    assert api.get("/api/organizations/?at_risk=perhaps").status_code == 400
    assert calm.pk


@pytest.mark.parametrize("value", ["perhaps", "0.17", ""])
def test_a_history_flag_that_is_not_true_or_false_is_a_field_error(api, staff_user, acme, value):
    api.force_authenticate(staff_user)
    response = api.get(f"/api/organizations/{acme.pk}/health/?history={value}")
    assert response.status_code == 400
    assert response.json() == {"history": ["Must be true or false."]}
    assert "history" in api.get(f"/api/organizations/{acme.pk}/health/?history=true").json()


def test_account_manager_errors_are_a_flat_list(api, staff_user, customer, acme):
    api.force_authenticate(staff_user)
    body = api.patch(
        f"/api/organizations/{acme.pk}/", {"account_manager": customer.username}, format="json"
    ).json()
    assert body == {"account_manager": ["Choose the username of a support agent or staff member."]}
