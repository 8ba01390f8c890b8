"""The demo history: what it plants for the triage model and the analytics pages to find."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from analytics.filters import Filters
from analytics.metrics.selfservice import selfservice_report
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


def test_the_help_center_answers_questions_and_readers_find_one_article_unhelpful():
    call_command("seed_demo", tickets=300, seed=1, stdout=io.StringIO())
    today = timezone.localdate()
    report = selfservice_report(Filters(since=today - dt.timedelta(days=89), until=today))
    stats = {s.key: s.value for s in report.stats}
    assert stats["deflection_share"] > 0.2  # ~10 answers a day against 300 tickets in 90 days
    assert 0.6 < stats["helpful_rate"] < 0.9
    gaps = [r["article"] for r in report.table("articles").rows if r["gap"] == "yes"]
    assert gaps == ["Refund policy"]
