"""Reading ticket text: money amounts and whole-word phrases."""

from __future__ import annotations

import pytest

from escalation.text import largest_amount, phrases_found


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("charged $1,250.00 twice", 1250.0),
        ("USD 600 and 75 dollars", 600.0),
        ("we paid 1.200 EUR", 1200.0),
        ("€ 75", 75.0),
        ("$499.99 on the card", 499.99),
        ("costs 600 per seat", None),
        ("invoice 12345", None),
    ],
)
def test_largest_amount_mentioned_with_a_currency(text, amount):
    assert largest_amount(text) == amount


def test_phrases_match_whole_words_only():
    text = "possible unauthorized access; unauthorized dissemination; accessed"
    assert phrases_found(text, ["unauthorized access", "access", "dissemination policy"]) == [
        "unauthorized access"
    ]
