"""Self-service next to escalations (deflections per article and category, readers' votes as documentation
gaps) and satisfaction per agent and team."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from analytics.filters import Filters
from analytics.metrics.selfservice import satisfaction_report, selfservice_report
from helpdesk.models import Article, ArticleVote, Csat, Deflection, Status
from helpdesk.services.article_review import article_approve_seeded
from tests.factories import CategoryFactory, TicketFactory


def _filters() -> Filters:
    today = timezone.localdate()
    return Filters(since=today - dt.timedelta(days=7), until=today)


def test_deflections_per_article_and_category_next_to_escalations(db, customer):
    accounts, billing = CategoryFactory(name="Accounts"), CategoryFactory(name="Billing")
    reset = Article.objects.create(title="Reset your password", body="...")
    reset.categories.set([accounts])
    article_approve_seeded(article=reset)
    for _ in range(3):
        Deflection.objects.create(article=reset, user=customer)
    TicketFactory(category=accounts)
    TicketFactory(category=billing, escalation_count=1)
    TicketFactory(category=billing)

    report = selfservice_report(_filters())
    assert report.stat("deflections") == 3 and report.stat("tickets") == 3 and report.stat("escalated") == 1
    assert report.stat("deflection_share") == 3 / 6
    rows = {r["category"]: r for r in report.table("categories").rows}
    assert rows["Accounts"]["deflections"] == 3 and rows["Accounts"]["tickets"] == 1
    assert rows["Accounts"]["deflection_share"] == 0.75 and rows["Accounts"]["has_article"] == "yes"
    assert rows["Billing"]["escalated"] == 1 and rows["Billing"]["escalation_rate"] == 0.5
    assert rows["Billing"]["has_article"] == "no"
    assert any("No published article covers Billing" in h for h in report.highlights)
    assert report.table("articles").rows[0]["deflections"] == 3


def test_unhelpful_votes_mark_a_documentation_gap(db):
    vague = Article.objects.create(title="Vague answer", body="...")
    good = Article.objects.create(title="Good answer", body="...")
    for n, helpful in enumerate([False, False, True]):
        ArticleVote.objects.create(article=vague, voter=f"session:{n}", helpful=helpful)
    for n in range(3):
        ArticleVote.objects.create(article=good, voter=f"session:{n}", helpful=True)
    old = ArticleVote.objects.create(article=good, voter="session:old", helpful=False)
    ArticleVote.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=60))

    report = selfservice_report(_filters())
    rows = {r["article"]: r for r in report.table("articles").rows}
    assert rows["Vague answer"]["gap"] == "yes" and rows["Vague answer"]["helpful_rate"] == 1 / 3
    assert rows["Good answer"]["gap"] == "no" and rows["Good answer"]["unhelpful"] == 0  # old vote outside
    assert report.stat("gaps") == 1
    assert any("Vague answer" in h for h in report.highlights)


def test_satisfaction_per_agent_and_team(db, agent, billing, technical):
    def rated(score, *, team, assignee=None, what=""):
        ticket = TicketFactory(team=team, assignee=assignee, status=Status.RESOLVED)
        Csat.objects.create(ticket=ticket, score=score, what_went_wrong=what)

    rated(5, team=billing, assignee=agent)
    rated(1, team=billing, assignee=agent, what="Nobody answered for days")
    rated(4, team=technical)
    report = satisfaction_report(_filters())
    assert report.stat("rated") == 3 and report.stat("low") == 1
    agents = {r["agent"]: r for r in report.table("agents").rows}
    assert agents["ana"] == {
        "agent": "ana",
        "rated": 2,
        "average": 3.0,
        "csat": 0.5,
        "low": 1,
        "explained": 1,
    }
    teams = {r["team"]: r for r in report.table("teams").rows}
    assert teams["Technical"]["csat"] == 1.0 and teams["Billing"]["rated"] == 2


def test_the_pages_are_in_the_analytics_navigation(client, lead):
    client.force_login(lead.user)
    page = client.get("/analytics/self-service/").content.decode()
    assert "Solved without a ticket" in page, page[page.find("<main") :][:3000]
    assert 'href="/analytics/satisfaction/' in page
