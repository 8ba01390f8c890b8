"""The fallback triage when no model is trained: categories' admin-edited keyword lists."""

from __future__ import annotations

import re
from dataclasses import dataclass

from escalation.process_cache import ProcessCache
from helpdesk.models import Category

WORD = re.compile(r"(?:[^\W_]|[$€£])+(?:[-'][^\W_]+)*")  # letters of any language: "rückerstattung"


@dataclass(frozen=True)
class KeywordMatch:
    category: Category
    hits: tuple[str, ...]


def _load_categories() -> list[Category]:
    return list(Category.objects.select_related("team").order_by("name"))


_categories = ProcessCache(_load_categories)


def forget_categories(**kwargs) -> None:
    """Drop the cached keyword lists (connected to saves of categories and teams)."""
    _categories.forget()


def best_category(text: str) -> KeywordMatch | None:
    """The category whose keywords occur most often in the text (ties: the first by name)."""
    lowered = text.lower()
    words = set(WORD.findall(lowered))
    best: KeywordMatch | None = None
    for category in _categories.get():
        hits = tuple(k for k in category.keywords if (k in words if " " not in k else k in lowered))
        if hits and (best is None or len(hits) > len(best.hits)):
            best = KeywordMatch(category, hits)
    return best
