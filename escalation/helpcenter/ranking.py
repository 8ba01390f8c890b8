"""Ranking help articles against what a customer typed, by the measure automatic answers use.

`escalation.autonomy.knowledge.best_article` picks a ticket's answer among its category's articles by shared word
stems, counting a stem shared with the title twice. Here the same measure ranks every article a visitor
may read, so the help center search and the suggestions while typing agree with the automatic answer
(tests/escalation/test_help_center.py keeps them in step).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from escalation.autonomy.knowledge import _stems
from helpdesk.models import PUBLIC_ARTICLES, Article

MAX_QUERY = 2000  # characters of the typed text that count

# Stems of each article's title and body, kept per process while the article is unchanged.
_kept: dict[int, tuple[object, frozenset[str], frozenset[str]]] = {}


@dataclass(frozen=True)
class Ranked:
    article: Article
    score: int


def public_articles() -> QuerySet[Article]:
    """Articles customers and visitors may read: published, not internal-only."""
    return Article.objects.filter(PUBLIC_ARTICLES)


def _article_stems(article: Article) -> tuple[frozenset[str], frozenset[str]]:
    kept = _kept.get(article.pk)
    if kept is None or kept[0] != article.updated_at:
        kept = (article.updated_at, frozenset(_stems(article.title)), frozenset(_stems(article.body)))
        _kept[article.pk] = kept
    return kept[1], kept[2]


def overlap(wanted: set[str], article: Article) -> int:
    """The automatic answer's measure: shared stems, those shared with the title counted twice."""
    title, body = _article_stems(article)
    return 2 * len(wanted & title) + len(wanted & body)


def rank_articles(text: str, *, articles: QuerySet[Article] | None = None, limit: int = 10) -> list[Ranked]:
    """The articles that share a stem with the text, best first (ties: older article first)."""
    wanted = _stems((text or "")[:MAX_QUERY])
    if not wanted:
        return []
    pool = (articles if articles is not None else public_articles()).order_by("pk")
    ranked = [Ranked(article, overlap(wanted, article)) for article in pool]
    ranked = [r for r in ranked if r.score > 0]
    ranked.sort(key=lambda r: (-r.score, r.article.pk))
    return ranked[:limit]
