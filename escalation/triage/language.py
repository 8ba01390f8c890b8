"""The language a ticket should be answered in (ISO 639-1), and where that came from.

Signals, strongest first:
1. stated: the caller named the language (API `language`);
2. profile: the customer's profile language, when it is not the site's default ("en" is also what every
   profile starts with, so it says little on its own);
3. text: the language the customer wrote in, detected with lingua (lingua-language-detector: its models
   ship inside the package, it is deterministic, and restricted to the languages below it takes well
   under a millisecond per ticket once loaded); only when the text is long enough and the detection clear;
4. portal: the language of the portal the customer used (the browser's Accept-Language);
5. the profile's "en", else "en".
The winner and every signal are kept in `ticket.metadata["language"]`; candidate selection then prefers
(and until the skill-relax wait requires) agents who speak it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from django.conf import settings

from escalation.triage.sentiment import ACRONYMS, customer_words

DEFAULT_LANGUAGES = ("en", "de", "fr", "es", "it", "pt", "nl", "pl", "sv", "da", "ja")
MIN_WORDS = 4  # shorter texts ("SSO fails") are not detected at all
MIN_CONFIDENCE = 0.8
SITE_DEFAULT = "en"
_WORD = re.compile(r"[^\W\d_]{2,}", re.UNICODE)


@dataclass(frozen=True)
class Detected:
    code: str
    confidence: float


@cache
def _detector():
    """One lingua detector per process, for the configured languages (loading its models takes a
    second or two, once)."""
    from lingua import IsoCode639_1, LanguageDetectorBuilder

    codes = getattr(settings, "HELPDESK_DETECT_LANGUAGES", DEFAULT_LANGUAGES)
    isos = [getattr(IsoCode639_1, code.upper()) for code in codes if hasattr(IsoCode639_1, code.upper())]
    return LanguageDetectorBuilder.from_iso_codes_639_1(*isos).build()


def detect_language(text: str) -> Detected | None:
    """The language of the customer's own words, or None when the text is too short or unclear.
    Acronyms, product names, quoted logs and code are left out first (they read as any language)."""
    words = [w for w in _WORD.findall(customer_words(text or "")) if w.upper() not in ACRONYMS]
    if len(words) < MIN_WORDS:
        return None
    values = _detector().compute_language_confidence_values(" ".join(words))
    if not values:
        return None
    best = values[0]
    if best.value < MIN_CONFIDENCE:
        return None
    return Detected(best.language.iso_code_639_1.name.lower(), round(best.value, 3))


def settle_language(ticket) -> None:
    """Choose the ticket's language from the signals ticket_create recorded and the text (module
    docstring); write it and its source on the (unsaved or locked) ticket."""
    signals = dict((ticket.metadata or {}).get("language") or {})
    if signals.get("source") == "stated":
        return
    detected = detect_language(f"{ticket.subject}\n{ticket.body}")
    if detected is not None:
        signals.update(detected=detected.code, confidence=detected.confidence)
    profile, portal = signals.get("profile"), signals.get("portal")
    if profile and profile != SITE_DEFAULT:
        code, source = profile, "profile"
    elif detected is not None:
        code, source = detected.code, "text"
    elif portal:
        code, source = portal, "portal"
    else:
        code, source = profile or SITE_DEFAULT, "profile" if profile else "default"
    signals["source"] = source
    ticket.language = code
    ticket.metadata = {**(ticket.metadata or {}), "language": signals}
