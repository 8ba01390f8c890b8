"""Which knowledge-base article answers a ticket: the published, approved article of its category sharing
the most words with the ticket's text (an article nobody of its team approved never answers anyone). Plain word overlap is enough here: the category is already known (triage),
so this only picks among a handful of articles, and an article sharing no word is no answer at all."""

from __future__ import annotations

import re

from helpdesk.models import Article, ReviewState, Ticket

WORD = re.compile(r"[a-z0-9]+")
STOPWORDS = frozenset(  # words of MIN_WORD letters or more that say nothing about the topic
    [
        "and",
        "are",
        "but",
        "can",
        "does",
        "for",
        "from",
        "has",
        "have",
        "how",
        "its",
        "not",
        "our",
        "please",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "this",
        "was",
        "what",
        "when",
        "where",
        "which",
        "will",
        "with",
        "you",
        "your",
        "hello",
        "thanks",
        "thank",
    ]  # noqa: SIM905
)
MIN_WORD = 3


def words(text: str) -> set[str]:
    return {w for w in WORD.findall((text or "").lower()) if len(w) >= MIN_WORD and w not in STOPWORDS}


def _stems(text: str) -> set[str]:
    """Words cut to five letters, so "reset"/"resetting" and "lock"/"locked" meet."""
    return {w[:5] for w in words(text)}


def best_article(ticket: Ticket) -> Article | None:
    """The published, approved article of the ticket's category that best matches its text; None when none
    shares a word."""
    if not ticket.category_id:
        return None
    wanted = _stems(f"{ticket.subject}\n{ticket.body}")
    best, best_overlap = None, 0
    approved = Article.objects.filter(
        is_published=True, review_state=ReviewState.APPROVED, categories=ticket.category_id
    )
    for article in approved.order_by("pk"):
        if not article.is_approved:  # changed behind the review's back (e.g. a bulk update)
            continue
        title_hits = len(wanted & _stems(article.title))
        overlap = 2 * title_hits + len(wanted & _stems(article.body))  # the title says what it answers
        if overlap > best_overlap:
            best, best_overlap = article, overlap
    return best
