"""manage.py simulate_routing: the contract's options, text and JSON, clear errors."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from helpdesk.models import TicketEvent
from tests.escalation.simulate.conftest import today

pytestmark = pytest.mark.django_db


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("simulate_routing", *args, stdout=out)
    return out.getvalue()


def test_json_compares_the_live_policy_with_a_draft(week, draft):
    events = TicketEvent.objects.count()
    day = today().isoformat()
    result = json.loads(
        _run("--policy", "live", "--compare", "DRAFT", "--since", day, "--until", day, "--json")
    )
    assert (result["tickets"], result["replayed"]) == (4, 4)
    assert set(result["policies"]) == {"live", "DRAFT"}
    assert result["policies"]["DRAFT"]["rules_fired"] == {"Refunds to Billing tier 2": 1}
    assert result["compare"]["base"] == "live" and result["compare"]["changed"]["tier"] == 1
    assert TicketEvent.objects.count() == events


def test_text_says_where_tickets_would_go_and_that_nothing_changed(week, draft):
    day = today().isoformat()
    text = _run("--policy", "DRAFT", "--since", day, "--until", day)
    assert "Policy DRAFT" in text and "rules fired: Refunds to Billing tier 2 1" in text
    assert "escalated in reality: 1; placed at once where they ended: 1 (100%)" in text
    assert text.rstrip().endswith("Nothing was changed.")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--policy", "nope"), "No draft policy called “nope”"),
        (("--policy", "live", "--compare", "LIVE"), "--compare names the same policy"),
        (
            ("--policy", "live", "--since", "2026-02-01", "--until", "2026-01-01"),
            "--until must not be before",
        ),
    ],
)
def test_mistakes_are_explained(db, args, message):
    defaults = {"--since": "2026-01-01", "--until": "2026-01-31"}
    given = dict(zip(args[::2], args[1::2], strict=True))
    flat = [part for key, value in {**defaults, **given}.items() for part in (key, value)]
    with pytest.raises(CommandError, match=message):
        _run(*flat)


def test_a_date_that_is_no_date_is_refused(db):
    with pytest.raises(CommandError, match="not a date"):
        _run("--policy", "live", "--since", "yesterday", "--until", "2026-01-01")
