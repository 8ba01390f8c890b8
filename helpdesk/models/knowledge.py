"""Knowledge-base articles: what automation answers with, and what agents write from resolutions."""

from __future__ import annotations

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


class Article(models.Model):
    """Customers see an article in the help center when it is published and not internal-only;
    automation may answer with any published one."""

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=SLUG_MAX, unique=True, help_text="Its address: /help/<slug>/.")
    body = models.TextField()
    categories = models.ManyToManyField("helpdesk.Category", blank=True, related_name="articles")
    is_published = models.BooleanField(default=True)
    internal_only = models.BooleanField(
        default=False, help_text="For support staff only: never shown to customers or visitors."
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

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(self.title, exclude_pk=self.pk)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return f"/help/{self.slug}/"


# What the help center, its search and the suggestions may show to customers and anonymous visitors.
PUBLIC_ARTICLES = Q(is_published=True, internal_only=False)
