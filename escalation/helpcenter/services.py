"""What readers tell the help center: "was this helpful?" votes, and questions an article solved.

A vote from a customer whose ticket automation answered with the same article is that customer's verdict
on the automatic answer, and feeds the autonomy learning like a reply would:
- "helpful" while the answer waits for the customer: confirmed, the ticket is resolved;
- "not helpful" while it waits: the answer failed, the ticket goes to a person at once;
- "not helpful" after it was counted a success: it failed after all (the category's threshold rises).
Every vote also feeds the documentation-gap analytics (articles readers find unhelpful).
"""

from __future__ import annotations

import datetime as dt
import logging

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from escalation.autonomy.decision import thresholds_for
from escalation.autonomy.learning import settle
from escalation.models import SUCCESSES, AutomationRecord, Outcome
from helpdesk.background import enqueue
from helpdesk.events import event_record
from helpdesk.models import Article, ArticleVote, Autonomy, Deflection, Status, Trigger
from helpdesk.services import ticket_resolve

logger = logging.getLogger(__name__)

QUERY_MAX = Deflection._meta.get_field("query").max_length


def _voter(user: AbstractBaseUser | AnonymousUser, session_key: str) -> str:
    if user.is_authenticated:
        return f"user:{user.pk}"
    if not session_key:
        raise ValidationError({"helpful": ["Your browser must accept cookies to vote."]})
    return f"session:{session_key}"


def article_vote(
    *, article: Article, user: AbstractBaseUser | AnonymousUser, session_key: str = "", helpful: bool
) -> ArticleVote:
    """Record a reader's vote; a second vote by the same reader replaces the first."""
    voter = _voter(user, session_key)
    author = user if user.is_authenticated else None
    with transaction.atomic():
        vote = ArticleVote.objects.select_for_update().filter(article=article, voter=voter).first()
        changed = vote is None or vote.helpful != helpful
        if vote is None:
            try:
                with transaction.atomic():
                    vote = ArticleVote.objects.create(
                        article=article, voter=voter, user=author, helpful=helpful
                    )
            except IntegrityError:  # the same reader's other tab came first
                vote = ArticleVote.objects.get(article=article, voter=voter)
        if vote.helpful != helpful:
            vote.helpful, vote.created_at = helpful, timezone.now()
            vote.save(update_fields=["helpful", "created_at"])
        if changed and author is not None:
            _feed_learning(article=article, user=author, helpful=helpful)
    return vote


def _answered_with(article: Article, user: AbstractBaseUser) -> AutomationRecord | None:
    """The customer's most recent automatic answer that sent this article, within its follow-up window."""
    record = (
        AutomationRecord.objects.select_related("ticket")
        .filter(mode=Autonomy.AUTONOMOUS, article=article, ticket__customer=user)
        .order_by("-created_at")
        .first()
    )
    if record is None:
        return None
    days = thresholds_for(record.category_id).follow_up_days if record.category_id else 1
    if record.created_at < timezone.now() - dt.timedelta(days=days):
        return None
    return record


def _feed_learning(*, article: Article, user: AbstractBaseUser, helpful: bool) -> None:
    record = _answered_with(article, user)
    if record is None:
        return
    ticket = record.ticket
    if helpful and record.is_pending and ticket.status in (Status.PENDING, Status.OPEN):
        ticket_resolve(
            ticket=ticket,
            actor=None,
            trigger=Trigger.SYSTEM,
            reason="The customer marked the article of the automatic answer as helpful.",
        )
        settle(record, Outcome.CONFIRMED, note="the customer voted the article helpful")
    elif not helpful and record.is_pending:
        event_record(
            ticket=ticket,
            code="automation.rejected",
            actor=user,
            trigger=Trigger.SYSTEM,
            reason="The customer marked the article of the automatic answer as not helpful.",
        )
        settle(record, Outcome.REOPENED, note="the customer voted the article not helpful")
        transaction.on_commit(lambda: enqueue("escalation.tasks.route_ticket", ticket.pk, "reopened"))
    elif not helpful and record.outcome in SUCCESSES:
        settle(record, Outcome.REOPENED, note="the customer voted the article not helpful afterwards")


def deflection_record(
    *, article: Article, user: AbstractBaseUser | AnonymousUser, query: str = ""
) -> Deflection:
    """Count a question the article answered before it became a ticket ("This solved it")."""
    return Deflection.objects.create(
        article=article,
        user=user if user.is_authenticated else None,
        query=" ".join((query or "").split())[:QUERY_MAX],
    )
