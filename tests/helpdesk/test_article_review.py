"""Article review: who may approve, what sends an article back to review, the admin's approve action."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from escalation.autonomy.answer_links import foreign_link_hosts
from helpdesk.models import Article, ReviewState, Role
from helpdesk.services import article_create
from helpdesk.services.article_review import article_approve, can_approve_article
from tests.factories import AgentFactory, CategoryFactory, TicketFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def refunds(billing):
    return CategoryFactory(name="Refunds", team=billing)


@pytest.fixture
def draft(refunds, agent):
    """What a tier-1 Billing agent writes from a ticket: saved, in review."""
    ticket = TicketFactory(team=refunds.team, category=refunds)
    return article_create(
        author=agent.user,
        title="Refund timing",
        body="Refunds reach the card within 5-10 business days.",
        categories=[refunds],
        source_ticket=ticket,
    )


@pytest.fixture
def billing_lead(billing, tier2):
    return AgentFactory(user=UserFactory(username="bill"), tier=tier2, role=Role.LEAD, teams=[billing])


@pytest.fixture
def technical_lead(technical, tier2):
    return AgentFactory(user=UserFactory(username="tess"), tier=tier2, role=Role.LEAD, teams=[technical])


def test_an_agent_s_article_waits_for_review_and_the_agent_cannot_approve_it(draft, agent):
    assert draft.review_state == ReviewState.IN_REVIEW and not draft.is_approved
    assert not can_approve_article(agent.user, draft)
    with pytest.raises(PermissionDenied):
        article_approve(article=draft, reviewer=agent.user)


def test_only_a_lead_of_the_owning_team_or_an_admin_approves(draft, billing_lead, technical_lead, tier3):
    assert not can_approve_article(technical_lead.user, draft)
    admin_agent = AgentFactory(user=UserFactory(username="adm"), tier=tier3, role=Role.ADMIN)
    assert can_approve_article(admin_agent.user, draft)
    assert can_approve_article(UserFactory(username="root", is_superuser=True), draft)

    approved = article_approve(article=draft, reviewer=billing_lead.user)
    assert approved.review_state == ReviewState.APPROVED and approved.is_approved
    assert approved.approved_by == billing_lead.user and approved.approved_at


def test_an_article_spanning_two_teams_needs_a_lead_of_both(draft, billing_lead, technical):
    draft.categories.add(CategoryFactory(name="Outages", team=technical))
    assert not can_approve_article(billing_lead.user, draft)


def test_changing_text_or_categories_of_an_approved_article_needs_approval_again(
    draft, billing_lead, technical
):
    article = article_approve(article=draft, reviewer=billing_lead.user)
    article.title = "Refund timing (updated)"
    article.save()
    assert Article.objects.get(pk=article.pk).review_state == ReviewState.IN_REVIEW

    article = article_approve(article=article, reviewer=billing_lead.user)
    article.categories.add(CategoryFactory(name="Outages", team=technical))
    assert Article.objects.get(pk=article.pk).review_state == ReviewState.IN_REVIEW

    article = Article.objects.get(pk=article.pk)
    article.is_published = True
    article.save()  # saving without a content change keeps whatever state it had
    assert article.review_state == ReviewState.IN_REVIEW


def test_the_admin_shows_the_state_and_approves_only_for_the_team_s_lead(
    client, draft, billing_lead, technical_lead
):
    perms = Permission.objects.filter(codename__in=["view_article", "change_article"])
    for lead in (billing_lead, technical_lead):
        lead.user.is_staff = True
        lead.user.save()
        lead.user.user_permissions.set(perms)
    url = reverse("admin:helpdesk_article_changelist")
    action = {"action": "approve", "_selected_action": [draft.pk]}

    client.force_login(technical_lead.user)
    assert b"In review" in client.get(url).content
    refused = client.post(url, action, follow=True)
    assert b"Not approved" in refused.content
    assert Article.objects.get(pk=draft.pk).review_state == ReviewState.IN_REVIEW

    client.force_login(billing_lead.user)
    approved = client.post(url, action, follow=True)
    assert b"Approved: Refund timing" in approved.content
    assert Article.objects.get(pk=draft.pk).review_state == ReviewState.APPROVED


@pytest.mark.parametrize(
    ("text", "foreign"),
    [
        ("See https://evil.example/steal", ["evil.example"]),
        ("See HTTP://Evil.Example./x and //cdn.other.test/a.js", ["evil.example", "cdn.other.test"]),
        ("See www.phish.test/login", ["www.phish.test"]),
        ("See https://help.acme.test/a and https://acme.test/b and /help/x/", []),
        ("See https://acme.test.evil.example/", ["acme.test.evil.example"]),
        ("See https://[::1/broken", ["?"]),
    ],
)
def test_foreign_link_hosts(settings, text, foreign):
    settings.HELPDESK_ANSWER_LINK_DOMAINS = ["acme.test"]
    assert foreign_link_hosts(text) == foreign
