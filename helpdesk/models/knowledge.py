"""Knowledge-base articles: what automation answers with, and what agents write from resolutions.

An article is reviewed before automation may send it to customers: draft → in review → approved, the
approval given by a lead or admin of the team that owns the article's categories
(helpdesk/services/article_review.py). The approval covers the content it saw: editing the title, the
body or the categories of an approved article puts it back in review.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.text import slugify

SLUG_MAX = 220
RESERVED_SLUGS = frozenset({"search"})  # help center addresses an article must not take


def unique_slug(title: str, *, taken: set[str] | None = None, exclude_pk: int | None = None) -> str:
    """A slug from the title, with -2, -3 … appended while another article has it."""
    base = (slugify(title) or "article")[: SLUG_MAX - 8]
    if base in RESERVED_SLUGS:
        base = f"{base}-article"
    existing = Article.objects.exclude(pk=exclude_pk) if exclude_pk else Article.objects.all()
    slug, n = base, 1
    while (taken is not None and slug in taken) or existing.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def article_digest(title: str, body: str, category_ids) -> str:
    """A fingerprint of what a reviewer approves: title, body and categories."""
    text = "\x00".join([title.strip(), body.strip(), ",".join(map(str, sorted(category_ids)))])
    return hashlib.sha256(text.encode()).hexdigest()


class ReviewState(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    APPROVED = "approved", "Approved"


class Article(models.Model):
    """Customers see an article in the help center when it is published, approved and not internal-only
    (PUBLIC_ARTICLES); automation answers only with approved ones."""

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=SLUG_MAX, unique=True, help_text="Its address: /help/<slug>/.")
    body = models.TextField()
    categories = models.ManyToManyField("helpdesk.Category", blank=True, related_name="articles")
    is_published = models.BooleanField(default=True)
    internal_only = models.BooleanField(
        default=False, help_text="For support staff only: never shown to customers or visitors."
    )
    review_state = models.CharField(
        max_length=12,
        choices=ReviewState.choices,
        default=ReviewState.DRAFT,
        help_text="Only approved articles are sent to customers as automatic answers.",
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_digest = models.CharField(
        max_length=64, blank=True, editable=False, help_text="The content the approval covers."
    )
    source_ticket = models.ForeignKey(
        "helpdesk.Ticket",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The resolved ticket this article was written from.",
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        if not self.slug:
            self.slug = unique_slug(self.title, exclude_pk=self.pk)
            update_fields = kwargs.get("update_fields")
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "slug"}
        if self.review_state == ReviewState.APPROVED and self.pk and not self.is_approved:
            self.review_state = ReviewState.IN_REVIEW  # edited after approval: approve again
            update_fields = kwargs.get("update_fields")
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "review_state"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return f"/help/{self.slug}/"

    def content_digest(self, category_ids: list[int] | None = None) -> str:
        """A fingerprint of what a reviewer approves: title, body and categories."""
        if category_ids is None:
            category_ids = list(self.categories.values_list("pk", flat=True)) if self.pk else []
        return article_digest(self.title, self.body, category_ids)

    @property
    def is_approved(self) -> bool:
        """Approved, and unchanged since (an edit made behind the review's back does not count as approved)."""
        return self.review_state == ReviewState.APPROVED and self.approved_digest == self.content_digest()


# What the help center, its search and the suggestions show to customers and anonymous visitors:
# published, approved by review (drafts and articles in review stay internal), not internal-only.
PUBLIC_ARTICLES = Q(is_published=True, review_state=ReviewState.APPROVED, internal_only=False)
