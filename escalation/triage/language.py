"""The language a ticket should be answered in (ISO 639-1), and where that came from.

Signals, strongest first:
1. stated: the caller named the language (API `language`);
2. profile: the customer's profile language, when it is not the site's default ("en" is also what every
   profile starts with, so it says little on its own);
3. text: the language the customer wrote in, detected with py3langid (a maintained fork of langid.py: its
   model ships inside the package, it is deterministic, and limited to the languages below it takes about
   0.1 ms a ticket once loaded); only when the text is long enough and the detection clear. (lingua was
   tried: its accurate mode took 15 s and ~1 GB to load on this machine, its fast mode read "I forgot my
   password ... How do I reset my password?" as Italian.)
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

MIN_WORDS = 4  # shorter texts ("Okta SSO SAML") are not detected at all
MIN_CONFIDENCE = 0.9
SITE_DEFAULT = "en"
_WORD = re.compile(r"[^\W\d_]{2,}", re.UNICODE)


@dataclass(frozen=True)
class Detected:
    code: str
    confidence: float


@cache
def _detector():
    """One py3langid identifier per process, limited to the configured languages (its model ships inside
    the package; unpacking it takes a few seconds, once)."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(settings.HELPDESK_DETECT_LANGUAGES))
    return identifier


def detect_language(text: str) -> Detected | None:
    """The language of the customer's own words, or None when the text is too short or unclear.
    Acronyms, product names, quoted logs and code are left out first (they read as any language)."""
    words = [w for w in _WORD.findall(customer_words(text or "")) if w.upper() not in ACRONYMS]
    if len(words) < MIN_WORDS:
        return None
    code, confidence = _detector().classify(" ".join(words))
    if float(confidence) < MIN_CONFIDENCE:
        return None
    return Detected(str(code), round(float(confidence), 3))


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
