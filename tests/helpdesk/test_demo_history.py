"""The demo history: what it plants for the triage model to find."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from helpdesk.management.demo.patterns import COMPLEX_SENTENCES
from helpdesk.models import Status, Ticket

pytestmark = pytest.mark.django_db


def share_above_tier_1(tickets: list[Ticket]) -> float:
    return sum(t.tier.level > 1 for t in tickets) / len(tickets)


def test_tickets_that_describe_a_hard_problem_mostly_go_above_tier_1():
    call_command("seed_demo", tickets=800, seed=1, stdout=io.StringIO())
    resolved = list(Ticket.objects.filter(status__in=(Status.RESOLVED, Status.CLOSED)).select_related("tier"))
    described = [t for t in resolved if any(sentence in t.body for sentence in COMPLEX_SENTENCES)]
    plain = [t for t in resolved if t not in described]
    assert 0.08 < len(described) / len(resolved) < 0.2
    assert share_above_tier_1(described) > 0.4
    assert share_above_tier_1(plain) < 0.15
    assert all(t.tier.level == 1 for t in resolved if t.escalation_count == 0)
