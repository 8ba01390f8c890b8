"""A draft policy is the live policy with its changes; every part is checked before it is used."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from escalation.models import DraftPolicy
from escalation.simulate.drafts import draft_errors, make_live, policy_named

pytestmark = pytest.mark.django_db


def test_a_draft_changes_only_what_it_names(draft):
    live, drafted = policy_named("live"), policy_named("DRAFT")
    assert [r.name for r in drafted.rules] == ["Refunds to Billing tier 2"]
    assert "frustration" not in {f.key for f in drafted.factors}  # weight 0: off
    assert {f.key for f in drafted.factors} == {f.key for f in live.factors} - {"frustration"}
    assert drafted.thresholds == live.thresholds and drafted.knobs == live.knobs


def test_settings_and_thresholds_override_the_live_ones(db):
    DraftPolicy.objects.create(name="fast", thresholds={"high": 30}, settings={"skill_relax_minutes": 5})
    drafted = policy_named("fast")
    assert (30.0, "high") in drafted.thresholds and drafted.knobs.skill_relax_minutes == 5
    assert [r.name for r in drafted.rules] == [r.name for r in policy_named("live").rules]  # its own: none


def test_every_mistake_is_named():
    draft = DraftPolicy(
        name="bad",
        rules=[{"name": "x", "conditions": {"field": "text"}, "actions": []}, {"conditions": {}}],
        factor_weights={"mood": 3, "vip": 500},
        thresholds={"critical": 50},
        settings={"hop_limit": "three", "warp": 1},
    )
    errors = draft_errors(draft)
    assert set(errors) == {"rules", "factor_weights", "thresholds", "settings"}
    assert any("Rule 2 (no name)" in e for e in errors["rules"])
    assert any("Unknown factor 'mood'" in e for e in errors["factor_weights"])
    assert errors["thresholds"] == ["Unknown priority 'critical'; the levels are: low, normal, high, urgent."]
    assert "hop_limit must be a whole number, 0 or more." in errors["settings"]


def test_an_unknown_name_lists_the_drafts(draft):
    with pytest.raises(ValidationError, match="No draft policy called “nope”. Drafts: DRAFT."):
        policy_named("nope")


def test_live_is_not_a_draft_name(db):
    with pytest.raises(ValidationError):
        DraftPolicy(name="Live").full_clean()


def test_the_example_draft_is_the_live_rules_plus_one_and_is_made_once(db):
    out = io.StringIO()
    call_command("seed_draft_policy", stdout=out)
    call_command("seed_draft_policy", stdout=out)
    assert DraftPolicy.objects.count() == 1
    live, drafted = policy_named("live"), policy_named("draft")  # any case, when only one matches
    assert [r.name for r in drafted.rules] == [
        *(r.name for r in live.rules),
        "Refund requests start at Billing tier 2",
    ]
    assert "already there" in out.getvalue().splitlines()[-1]


def test_a_draft_goes_live_and_the_old_live_policy_can_come_back(draft):
    before = policy_named("live")
    DraftPolicy.objects.filter(pk=draft.pk).update(
        thresholds={"high": 33}, settings={"skill_relax_minutes": 7}
    )
    draft.refresh_from_db()
    backup = make_live(draft)
    now_live = policy_named("live")
    assert [r.name for r in now_live.rules] == ["Refunds to Billing tier 2"]
    assert "frustration" not in {f.key for f in now_live.factors}
    assert (33.0, "high") in now_live.thresholds and now_live.knobs.skill_relax_minutes == 7
    assert backup.name.startswith("live-") and not draft_errors(backup)
    make_live(backup)  # back to how it was
    again = policy_named("live")
    assert [r.name for r in again.rules] == [r.name for r in before.rules]
    assert {(f.key, f.weight) for f in again.factors} == {(f.key, f.weight) for f in before.factors}
    assert (again.thresholds, again.knobs) == (before.thresholds, before.knobs)


def test_a_broken_draft_never_goes_live(db):
    broken = DraftPolicy.objects.create(name="broken", thresholds={"sometimes": 3})
    rules = [r.name for r in policy_named("live").rules]
    with pytest.raises(ValidationError):
        make_live(broken)
    assert [r.name for r in policy_named("live").rules] == rules
    assert DraftPolicy.objects.count() == 1  # no backup kept either
