"""/analytics/what-if/: leads replay recent tickets by the live policy or a draft and compare."""

from __future__ import annotations

import re

import pytest

from escalation.models import DraftPolicy
from tests.escalation.simulate.conftest import REFUNDS_TO_BILLING_L2

pytestmark = pytest.mark.django_db


def test_the_form_comes_first_and_the_replay_when_asked(lead_client, customer):
    DraftPolicy.objects.create(name="DRAFT", rules=[REFUNDS_TO_BILLING_L2])
    html = lead_client.get("/analytics/what-if/").content.decode()
    assert '<option value="DRAFT">DRAFT</option>' in html and "Tickets in the range" not in html
    response = lead_client.get("/analytics/what-if/?policy=live&compare=DRAFT")
    html = response.content.decode()
    assert response.status_code == 200
    assert re.search(r'stat-value">0</span><span class="stat-label">Tickets in the range', html)
    assert "Where the tickets would go" in html and "Against where the tickets ended" in html


def test_the_same_policy_twice_is_an_error_in_the_form(lead_client):
    response = lead_client.get("/analytics/what-if/?policy=live&compare=live")
    assert (
        response.status_code == 400
        and "Pick a different policy to compare with." in response.content.decode()
    )


def test_an_unknown_draft_is_an_error_in_the_form(lead_client):
    response = lead_client.get("/analytics/what-if/?policy=nope")
    assert response.status_code == 400 and "Select a valid choice" in response.content.decode()


def test_agents_who_see_only_their_own_tickets_are_refused(client, agent):
    client.force_login(agent.user)
    assert client.get("/analytics/what-if/").status_code == 403


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("since=2026-02-01&until=2026-01-01", "The end date must not be before the start date."),
        ("until=1999-01-01", "Choose a date between 2000-01-01 and 2100-12-31."),
        ("until=someday", "Enter a valid date."),
    ],
)
def test_bad_days_are_errors_in_the_form(lead_client, query, message):
    response = lead_client.get(f"/analytics/what-if/?policy=live&{query}")
    assert response.status_code == 400 and message in response.content.decode()
