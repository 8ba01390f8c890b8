"""Reading ticket text: phrase matching on word boundaries and money amounts mentioned."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

# "$1,250.00", "USD 600", "€ 75", "600 dollars", "1.200 EUR" (a 3-digit group after , or . is thousands).
_NUMBER = r"(\d{1,3}(?:[,.]\d{3})+|\d+)(?:[.,](\d{1,2}))?(?!\d)"
_CURRENCY_BEFORE = re.compile(r"(?:[$€£]|\b(?:usd|eur|gbp)\b)\s?" + _NUMBER, re.IGNORECASE)
_CURRENCY_AFTER = re.compile(
    r"(?<![\d.,])" + _NUMBER + r"\s?(?:usd|eur|gbp|dollars?|euros?|pounds?|bucks)\b", re.IGNORECASE
)

# A customer saying they will leave: a frustration cue for the mood, and a relationship guardrail
# that keeps automation off the ticket.
THREATS_TO_LEAVE = (
    "cancel our contract",
    "cancel the contract",
    "cancel my contract",
    "cancel our subscription",
    "cancel my subscription",
    "cancel the subscription",
    "cancel our account",
    "cancel my account",
    "cancel our plan",
    "cancel my plan",
    "want to cancel",
    "will cancel",
    "going to cancel",
    "terminate our contract",
    "terminate the contract",
    "terminate our subscription",
    "not renew",
    "won't renew",
    "not be renewing",
    "switch to another",
    "switching to another",
    "switching to a competitor",
    "move to a competitor",
    "moving to a competitor",
    "close our account",
    "close my account",
    "take our business elsewhere",
)


@lru_cache(maxsize=512)
def phrase_pattern(phrases: tuple[str, ...]) -> re.Pattern[str]:
    """One compiled pattern matching any of the phrases as whole words ("access" never matches "accessed")."""
    alternatives = sorted({re.escape(p.strip().lower()) for p in phrases if p.strip()}, key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)")


def phrases_found(text: str, phrases: Iterable[str]) -> list[str]:
    """The phrases that occur in the (lower-cased) text, in order of first appearance."""
    phrases = tuple(phrases)
    if not phrases:
        return []
    return list(dict.fromkeys(m.group(0) for m in phrase_pattern(phrases).finditer(text)))


def _amount(whole: str, cents: str | None) -> float:
    return float(re.sub(r"[,.]", "", whole) + "." + (cents or "0"))


def largest_amount(text: str) -> float | None:
    """The largest money amount the text mentions with a currency sign or word, or None."""
    amounts = [
        _amount(m.group(1), m.group(2))
        for pattern in (_CURRENCY_BEFORE, _CURRENCY_AFTER)
        for m in pattern.finditer(text)
    ]
    return max(amounts, default=None)
