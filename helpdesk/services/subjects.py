"""Subjects are one line: a line break in one would end an e-mail header early (Django then refuses
the message with BadHeaderError, and the notification is lost) or let text pose as another header."""

from __future__ import annotations

import re

# Every character Python's str.splitlines() breaks on, plus tabs.
_BREAKS = re.compile(r"[\r\n\t\v\f\x1c\x1d\x1e\x85\u2028\u2029]+")


def subject_line(text: str) -> str:
    """The text on one line: each run of line breaks becomes a single space."""
    return re.sub(r" {2,}", " ", _BREAKS.sub(" ", text or "")).strip()
