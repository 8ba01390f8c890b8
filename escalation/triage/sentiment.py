"""How a customer's message feels: a sentiment score from VADER plus support-specific frustration cues.

VADER reads general English well but misses how support customers show frustration ("this is the third
time", "nobody cares", "I will cancel", shouting in capitals, "!!!"); it even scores "Nobody cares." as
mildly positive. So the cues below push the sentiment down and the frustration up, and each one that
fired is named, so the routing explanation can say why a ticket counts as frustrated.

`mood()` is pure (text in, numbers out). `ticket_mood()` reads what it needs for a ticket (the latest
customer text and how often the customer has been in touch) and `with_mood()` puts it on a triage result.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING

from django.utils import timezone

from escalation.routing import read_ahead
from helpdesk.models import AuthorKind, Message, Ticket

if TYPE_CHECKING:
    from escalation.triage import TriageResult

REPEAT_LOOKBACK_DAYS = 14  # other tickets from the same customer this recent count as repeat contacts
NEGATIVITY_WEIGHT = 0.6  # share of VADER's negativity that becomes frustration
PER_REPEAT_CONTACT, MAX_REPEAT = 0.1, 0.3


@dataclass(frozen=True)
class Cue:
    """A family of phrases that signal frustration, and how much frustration (0..1) it adds."""

    name: str
    weight: float
    phrases: tuple[str, ...]

    @property
    def pattern(self) -> re.Pattern:
        return _compiled(self.phrases)


CUES: tuple[Cue, ...] = (
    Cue(
        "asked again",
        0.25,
        ("third time", "fourth time", "fifth time", "again and again", "how many times", "already told"),
    ),
    Cue("nobody cares", 0.3, ("nobody cares", "no one cares", "nobody is helping", "no one is helping")),
    Cue("threatens to leave", 0.25, ("cancel", "switch to another", "terminate", "lawyer", "legal action")),
    Cue(
        "still unresolved", 0.15, ("still not", "still broken", "still waiting", "still doesn't", "not fixed")
    ),
    Cue(
        "strong words",
        0.2,
        ("unacceptable", "ridiculous", "useless", "terrible", "worst", "fed up", "sick of", "waste of time"),
    ),
)
SHOUTING = Cue("all caps", 0.15, ())
EXCLAMATIONS = Cue("exclamation run", 0.15, ())
REPEAT_CONTACTS = "repeat contacts"

CAPS_WORD = re.compile(r"\b[A-Z]{3,}\b")
EXCLAMATION_RUN = re.compile(r"!{2,}")
MIN_SHOUTED_WORDS = 2


@cache
def _compiled(phrases: tuple[str, ...]) -> re.Pattern:
    return re.compile(r"\b(?:" + "|".join(re.escape(p) for p in phrases) + r")", re.IGNORECASE)


@cache
def _analyzer():
    """One VADER analyzer per process: building it reads its lexicon from disk."""
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


@dataclass(frozen=True)
class Mood:
    sentiment: float  # -1 (angry) .. +1 (happy)
    frustration: float  # 0 (calm) .. 1 (furious)
    cues: list[str] = field(default_factory=list)


def _clamp(value: float, low: float, high: float) -> float:
    return max(low, min(high, value))


def _cues(text: str, repeat_contacts: int) -> list[tuple[str, float]]:
    found = [(cue.name, cue.weight) for cue in CUES if cue.pattern.search(text)]
    if len(CAPS_WORD.findall(text)) >= MIN_SHOUTED_WORDS:
        found.append((SHOUTING.name, SHOUTING.weight))
    if EXCLAMATION_RUN.search(text):
        found.append((EXCLAMATIONS.name, EXCLAMATIONS.weight))
    if repeat_contacts > 0:
        found.append((REPEAT_CONTACTS, min(MAX_REPEAT, PER_REPEAT_CONTACT * repeat_contacts)))
    return found


def mood(text: str, *, repeat_contacts: int = 0) -> Mood:
    """Sentiment and frustration of one piece of customer text. Never raises for ordinary input."""
    text = text or ""
    compound = _analyzer().polarity_scores(text)["compound"] if text.strip() else 0.0
    cues = _cues(text, max(0, repeat_contacts))
    pressure = sum(weight for _, weight in cues)
    return Mood(
        sentiment=round(_clamp(compound - pressure, -1.0, 1.0), 3),
        frustration=round(_clamp(NEGATIVITY_WEIGHT * max(0.0, -compound) + pressure, 0.0, 1.0), 3),
        cues=[name for name, _ in cues],
    )


def repeat_contacts(ticket: Ticket, *, follow_ups: int = 0) -> int:
    """The customer's other recent tickets, plus their follow-up messages on this one."""
    if not ticket.customer_id:
        return follow_ups
    since = (ticket.created_at or timezone.now()) - dt.timedelta(days=REPEAT_LOOKBACK_DAYS)
    ahead = read_ahead.current()
    counted = ahead.repeat_contacts(ticket, since) if ahead else None
    if counted is not None:
        return counted + follow_ups
    others = Ticket.objects.filter(customer_id=ticket.customer_id, created_at__gte=since)
    if ticket.pk:
        others = others.exclude(pk=ticket.pk)
    return others.count() + follow_ups


def ticket_mood(ticket: Ticket) -> Mood:
    """The mood of the customer's latest words on the ticket (subject and body for a new ticket)."""
    ahead = read_ahead.current()
    bodies = ahead.bodies(ticket) if ahead else None
    if bodies is None:
        bodies = (
            list(
                Message.objects.filter(
                    ticket_id=ticket.pk, author_kind=AuthorKind.CUSTOMER, is_internal=False
                )
                .order_by("-created_at", "-id")
                .values_list("body", flat=True)[: read_ahead.CUSTOMER_BODIES]
            )
            if ticket.pk
            else []
        )
    follow_ups = max(0, len(bodies) - 1)
    text = bodies[0] if follow_ups else f"{ticket.subject}\n{ticket.body}"
    return mood(text, repeat_contacts=repeat_contacts(ticket, follow_ups=follow_ups))


def with_mood(result: TriageResult, ticket: Ticket) -> TriageResult:
    """The triage result with the ticket's current sentiment and frustration (kept if already set)."""
    if result.sentiment is not None and result.frustration is not None:
        return result
    felt = ticket_mood(ticket)
    note = f"Frustration cues: {', '.join(felt.cues)}." if felt.cues else ""
    return dataclasses.replace(
        result,
        sentiment=felt.sentiment if result.sentiment is None else result.sentiment,
        frustration=felt.frustration if result.frustration is None else result.frustration,
        notes=[*result.notes, note] if note else result.notes,
    )


def message_mood(message: Message) -> Mood:
    """The mood of one stored customer message (its follow-ups so far count as repeat contacts)."""
    earlier = Message.objects.filter(
        ticket_id=message.ticket_id, author_kind=AuthorKind.CUSTOMER, is_internal=False, pk__lt=message.pk
    ).count()
    return mood(message.body, repeat_contacts=repeat_contacts(message.ticket, follow_ups=earlier))
