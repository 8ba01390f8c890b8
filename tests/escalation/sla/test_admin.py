"""Admins edit SLA policies and calendars in the Django admin; bad input gets a form error, not a 500."""

from __future__ import annotations

import pytest
from django.urls import reverse

from escalation.models.sla import BusinessCalendar, SlaPolicy
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

INLINES = {
    "periods-TOTAL_FORMS": "1",
    "periods-INITIAL_FORMS": "0",
    "periods-0-weekday": "0",
    "periods-0-opens": "09:00",
    "periods-0-closes": "17:00",
    "closed_days-TOTAL_FORMS": "1",
    "closed_days-INITIAL_FORMS": "0",
    "closed_days-0-date": "2025-12-24",
    "closed_days-0-name": "Christmas Eve",
}


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def policy_form(**overrides) -> dict:
    form = {
        "name": "Gold",
        "is_active": "on",
        "first_response_minutes": "30",
        "next_reply_minutes": "60",
        "resolution_minutes": "480",
        "warning_share": "0.75",
        "score_refresh_shares": "[0.5, 0.9]",
        "first_response_action": "reassign",
        "next_reply_action": "reassign",
        "resolution_action": "hierarchical",
        "open_age_hours": "72",
        "open_age_action": "reassign",
        "abandoned_hours": "4",
        "handoff_grace_minutes": "30",
    }
    return {**form, **overrides}


def test_an_admin_creates_a_calendar_with_hours_and_holidays(admin_client):
    form = {"name": "Berlin office", "timezone": "Europe/Berlin", "holiday_country": "de", **INLINES}
    response = admin_client.post(reverse("admin:escalation_businesscalendar_add"), form)
    assert response.status_code == 302
    calendar = BusinessCalendar.objects.get(name="Berlin office")
    assert calendar.holiday_country == "DE"
    hours = calendar.working_hours()
    assert hours.weekly[0] and len(hours.closed_dates) == 1


def test_a_calendar_with_an_unknown_time_zone_or_country_is_refused(admin_client):
    form = {"name": "Nowhere", "timezone": "Mars/Olympus", "holiday_country": "XX", **INLINES}
    response = admin_client.post(reverse("admin:escalation_businesscalendar_add"), form)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "timezone" in errors and "holiday_country" in errors


def test_an_admin_creates_a_policy(admin_client):
    response = admin_client.post(reverse("admin:escalation_slapolicy_add"), policy_form())
    assert response.status_code == 302
    assert SlaPolicy.objects.get(name="Gold").first_response_minutes == 30


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"resolution_action": "functional"}, "escalation_team"),
        ({"warning_share": "1.5"}, "warning_share"),
        ({"score_refresh_shares": '["soon"]'}, "score_refresh_shares"),
        ({"first_response_minutes": "0"}, "first_response_minutes"),
    ],
)
def test_a_bad_policy_gets_a_form_error(admin_client, overrides, field):
    response = admin_client.post(reverse("admin:escalation_slapolicy_add"), policy_form(**overrides))
    assert response.status_code == 200
    assert field in response.context["adminform"].form.errors
    assert not SlaPolicy.objects.exists()
