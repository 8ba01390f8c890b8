"""Reviewing knowledge-base articles before automation may send them to customers.

Who approves: a superuser, an agent with the admin role, or a lead (role lead) who leads or belongs to
every team owning the article's categories. An article without categories belongs to no team: admins
only. Changing an approved article's categories sends it back to review, as editing its text does
(helpdesk/models/knowledge.py).
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models.signals import m2m_changed
from django.utils import timezone

from helpdesk.models import Article, ReviewState, Role, Team
from helpdesk.permissions import agent_of, agent_team_ids

ERR_NOT_A_REVIEWER = "Only a lead or an admin of the team that owns this article's categories can approve it."


def article_owning_teams(article: Article) -> list[Team]:
    """The teams whose categories the article answers."""
    return list(Team.objects.filter(categories__articles=article).distinct())


def can_approve_article(user: AbstractBaseUser | AnonymousUser, article: Article) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    agent = agent_of(user)
    if agent is None or agent.role not in (Role.LEAD, Role.ADMIN):
        return False
    if agent.role == Role.ADMIN:
        return True
    teams = article_owning_teams(article)
    mine = agent_team_ids(agent)
    return bool(teams) and all(team.lead_id == agent.pk or team.pk in mine for team in teams)


def article_submit(*, article: Article) -> Article:
    """Ask for review (a draft, or an approved article whose approval is withdrawn)."""
    Article.objects.filter(pk=article.pk).update(review_state=ReviewState.IN_REVIEW, approved_digest="")
    article.review_state, article.approved_digest = ReviewState.IN_REVIEW, ""
    return article


def article_approve(*, article: Article, reviewer: AbstractBaseUser) -> Article:
    """Approve the article as it stands now; automation may then answer customers with it."""
    if not can_approve_article(reviewer, article):
        raise PermissionDenied(ERR_NOT_A_REVIEWER)
    with transaction.atomic():
        locked = Article.objects.select_for_update().get(pk=article.pk)
        locked.review_state = ReviewState.APPROVED
        locked.approved_by = reviewer
        locked.approved_at = timezone.now()
        locked.approved_digest = locked.content_digest()
        locked.save(update_fields=["review_state", "approved_by", "approved_at", "approved_digest"])
    return locked


def article_approve_seeded(*, article: Article) -> Article:
    """The demo's own articles start approved (written by the project, not by an agent)."""
    article.review_state = ReviewState.APPROVED
    article.approved_at = timezone.now()
    article.approved_digest = article.content_digest()
    article.save(update_fields=["review_state", "approved_at", "approved_digest"])
    return article


def _categories_changed(sender, instance, action: str, reverse: bool, **kwargs) -> None:
    """An approved article whose categories change goes back to review."""
    if not (action.startswith("post_") and not reverse and isinstance(instance, Article)):
        return
    if instance.review_state == ReviewState.APPROVED and not instance.is_approved:
        Article.objects.filter(pk=instance.pk).update(review_state=ReviewState.IN_REVIEW)
        instance.review_state = ReviewState.IN_REVIEW


def connect_review_on_category_change() -> None:
    m2m_changed.connect(
        _categories_changed, sender=Article.categories.through, dispatch_uid="article_review_categories"
    )
