"""The model card at /analytics/model/: what an agent sees before and after a model is trained."""

from __future__ import annotations

import re

import numpy as np
import pytest

from escalation.models import TriageModelVersion
from escalation.triage.metrics import evaluate

pytestmark = pytest.mark.django_db


def _version(name: str, *, active: bool) -> TriageModelVersion:
    truth = ["Access", "Hardware", "Access", "Hardware", "Storage"]
    probabilities = np.array(
        [[0.9, 0.05, 0.05], [0.2, 0.7, 0.1], [0.3, 0.6, 0.1], [0.1, 0.8, 0.1], [0.1, 0.1, 0.8]]
    )
    return TriageModelVersion.objects.create(
        version=name,
        rows=25,
        holdout_rows=5,
        metrics={
            "team": evaluate(truth, probabilities, ["Access", "Hardware", "Storage"]),
            "priority": {"skipped": "needs at least two labels with 3+ tickets each"},
        },
        artifact=b"",
        is_active=active,
    )


def test_before_training_the_card_says_keywords_route(agent_client):
    page = agent_client.get("/analytics/model/")
    assert page.status_code == 200
    assert "No trained model yet" in page.content.decode()


def test_the_card_shows_metrics_calibration_confusion_and_thresholds(agent_client):
    _version("20261101-090000", active=False)
    _version("20261120-090000", active=True)
    html = agent_client.get("/analytics/model/").content.decode()

    assert "Version 20261120-090000" in html and "active" in html
    assert "0.800" in html  # team accuracy: 4 of 5 right
    assert 'aria-label="Calibration of the Team model"' in html
    assert 'aria-label="Confusion matrix of the Team model"' in html
    assert "Hardware predicted as Hardware: 2" in html
    assert re.search(r'class="head"[^>]*>Hardware<', html)  # predicted labels head the columns
    assert re.search(r'class="tick" text-anchor="end">100%<', html)  # the accuracy axis is labelled
    assert "Not trained: needs at least two labels" in html
    assert "Autonomy by category" in html
    assert "20261101-090000" in html  # older versions are listed for rollback


def test_an_older_version_can_be_inspected_and_bad_input_is_ignored(agent_client):
    old = _version("20261101-090000", active=False)
    _version("20261120-090000", active=True)
    assert (
        "Version 20261101-090000" in agent_client.get(f"/analytics/model/?version={old.pk}").content.decode()
    )
    assert agent_client.get("/analytics/model/?version=abc").status_code == 200


def test_customers_cannot_see_the_model_card(customer_client):
    assert customer_client.get("/analytics/model/").status_code in (302, 403)


def test_only_those_who_may_switch_versions_get_the_admin_link(agent_client, client, agent):
    _version("20261120-090000", active=True)
    link = "/admin/escalation/triagemodelversion/"
    html = agent_client.get("/analytics/model/").content.decode()
    assert link not in html  # an agent would get 403 there
    assert "An admin switches the active version" in html

    agent.user.is_staff = agent.user.is_superuser = True
    agent.user.save()
    assert link in client.get("/analytics/model/").content.decode()
