"""Knowledge-base articles written from tickets: the feedback loop that gives automation new answers."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from helpdesk.models import Article, Category, ReviewState, Ticket
from helpdesk.permissions import can_work_ticket
from helpdesk.services import errors

TITLE_MAX = Article._meta.get_field("title").max_length


def article_create(
    *,
    author: AbstractBaseUser,
    title: str,
    body: str,
    categories: Iterable[Category] = (),
    source_ticket: Ticket | None = None,
) -> Article:
    """Save a published article, in review (automation uses it once a lead of its team approves it);
    from a ticket, only someone who may work that ticket can do it."""
    if source_ticket is not None and not can_work_ticket(author, source_ticket):
        raise PermissionDenied(errors.ERR_NOT_AN_AGENT)
    title, body = (title or "").strip(), (body or "").strip()
    field_errors: dict[str, list[str]] = {}
    if not title:
        field_errors["title"] = [errors.ERR_ARTICLE_TITLE_REQUIRED]
    elif len(title) > TITLE_MAX:
        field_errors["title"] = [f"Keep the title under {TITLE_MAX} characters."]
    if not body:
        field_errors["body"] = [errors.ERR_ARTICLE_BODY_REQUIRED]
    if field_errors:
        raise ValidationError(field_errors)
    with transaction.atomic():
        article = Article.objects.create(
            title=title,
            body=body,
            source_ticket=source_ticket,
            created_by=author,
            review_state=ReviewState.IN_REVIEW,
        )
        article.categories.set(list(categories))
    return article
