"""Draft policies in Django admin: mistakes come back in the form, and a draft can start from the live
rules."""

from __future__ import annotations

import json

import pytest

from escalation.models import DraftPolicy, EscalationRule
from tests.escalation.simulate.conftest import REFUNDS_TO_BILLING_L2

pytestmark = pytest.mark.django_db
ADD = "/admin/escalation/draftpolicy/add/"


def _form(**fields) -> dict[str, str]:
    base = {
        "name": "DRAFT",
        "description": "",
        "rules": "",
        "factor_weights": "{}",
        "thresholds": "{}",
        "settings": "{}",
    }
    return {**base, **fields}


def test_a_draft_with_mistakes_is_refused_with_its_errors_in_the_form(admin_client):
    response = admin_client.post(ADD, _form(factor_weights='{"mood": 5}', thresholds='{"high": 300}'))
    html = response.content.decode()
    assert response.status_code == 200 and not DraftPolicy.objects.exists()
    assert (
        "Unknown factor &#x27;mood&#x27;" in html
        and "The threshold of high must be a number from 0 to 100." in html
    )


def test_a_good_draft_is_saved(admin_client):
    response = admin_client.post(ADD, _form(settings='{"skill_relax_minutes": 10}', factor_weights=""))
    assert response.status_code == 302
    draft = DraftPolicy.objects.get()
    assert (draft.settings, draft.factor_weights, draft.rules) == ({"skill_relax_minutes": 10}, {}, None)


def test_a_draft_starts_from_the_live_rules(admin_client):
    draft = DraftPolicy.objects.create(name="DRAFT")
    admin_client.post(
        "/admin/escalation/draftpolicy/",
        {"action": "copy_live_rules", "_selected_action": [draft.pk]},
    )
    draft.refresh_from_db()
    live = EscalationRule.objects.filter(is_active=True).order_by("order", "pk")
    assert [r["name"] for r in draft.rules] == [r.name for r in live] and len(draft.rules) > 3
    assert json.loads(json.dumps(draft.rules))[0]["conditions"] == live[0].conditions


def test_the_make_live_action_keeps_the_old_policy_as_a_draft(admin_client, billing):
    draft = DraftPolicy.objects.create(name="DRAFT", rules=[{**REFUNDS_TO_BILLING_L2}])
    response = admin_client.post(
        "/admin/escalation/draftpolicy/", {"action": "go_live", "_selected_action": [draft.pk]}, follow=True
    )
    assert "“DRAFT” is live. The policy before it is kept as the draft “live-" in response.content.decode()
    assert list(EscalationRule.objects.filter(is_active=True).values_list("name", flat=True)) == [
        REFUNDS_TO_BILLING_L2["name"]
    ]
    assert DraftPolicy.objects.filter(name__startswith="live-").count() == 1
