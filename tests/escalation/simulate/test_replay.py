"""Replaying tickets by a policy routes them as they arrived through the real router and keeps nothing;
the comparison says what a draft would change and how often tickets land where they ended."""

from __future__ import annotations

import pytest
from django.forms.models import model_to_dict

from escalation.models import RoutingDecision, TicketSla
from escalation.simulate.compare import simulate
from escalation.simulate.drafts import policy_named
from escalation.simulate.replay import replay
from helpdesk.models import Notification, Ticket, TicketEvent
from tests.escalation.simulate.conftest import today

pytestmark = pytest.mark.django_db


def _everything():
    return (
        [model_to_dict(t) for t in Ticket.objects.order_by("pk")],
        TicketEvent.objects.count(),
        RoutingDecision.objects.count(),
        Notification.objects.count(),
        TicketSla.objects.count(),
    )


def test_a_replay_keeps_nothing(week, draft):
    before = _everything()
    replay([t.pk for t in week], policy_named("DRAFT"))
    assert _everything() == before


def test_the_live_policy_places_each_ticket_as_its_first_routing_did(week):
    refund, webhook, crash, dispute = week
    placed = {r.ticket_id: r.placed for r in replay([t.pk for t in week], policy_named("live"))}
    assert (placed[webhook.pk].team, placed[webhook.pk].tier) == ("Technical", 1)
    assert (placed[crash.pk].team, placed[crash.pk].tier) == ("Product", 1)
    assert (placed[refund.pk].team, placed[refund.pk].tier) == ("Billing", 1)  # escalated to L2 only later


def test_a_draft_rule_places_refunds_where_they_ended_and_the_comparison_says_so(week, draft):
    refund = week[0]
    result = simulate([("live", policy_named("live")), ("DRAFT", policy_named("DRAFT"))], today(), today())
    live, drafted = result.summaries
    assert (live.escalated, live.escalations_spared, drafted.escalations_spared) == (1, 0, 1)
    assert drafted.rules_fired == {"Refunds to Billing tier 2": 1}
    assert result.difference.changed["tier"] == 1
    [example] = [e for e in result.difference.examples if e["ticket"] == refund.pk]
    assert example["tier"] == [1, 2]


def test_only_the_days_asked_for_are_replayed(week):
    result = simulate(
        [("live", policy_named("live"))], today().replace(year=2001), today().replace(year=2001)
    )
    assert (result.tickets, result.replayed, result.summaries[0].tickets) == (0, 0, 0)
