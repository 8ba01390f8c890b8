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
from typing import TYPE_CHECKING, Protocol

from django.utils import timezone

from escalation.text import THREATS_TO_LEAVE
from helpdesk.models import AuthorKind, Message, Ticket

if TYPE_CHECKING:
    from escalation.triage.result import TriageResult

REPEAT_LOOKBACK_DAYS = 14  # other tickets from the same customer this recent count as repeat contacts
NEGATIVITY_WEIGHT = 0.6  # share of VADER's negativity that becomes frustration
PER_REPEAT_CONTACT, MAX_REPEAT = 0.1, 0.3
CUSTOMER_BODIES = 20  # the newest customer messages of a ticket that mood (and routing's rules) read


class KnownRows(Protocol):
    """Rows a caller read already for many tickets at once (a routing batch's reads). Each answers
    None for what it did not read, and the reader then runs its own query."""

    def bodies(self, ticket: Ticket) -> list[str] | None: ...

    def repeat_contacts(self, ticket: Ticket, since: dt.datetime) -> int | None: ...


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
    Cue(
        "threatens to leave",
        0.25,
        (
            *THREATS_TO_LEAVE,
            "lawyer",
            "legal action",
        ),
    ),
    Cue(
        "still unresolved", 0.15, ("still not", "still broken", "still waiting", "still doesn't", "not fixed")
    ),
    Cue(
        "strong words",
        0.2,
        (
            "unacceptable",
            "ridiculous",
            "useless",
            "terrible",
            "worst",
            "fed up",
            "sick of",
            "waste of time",
            "furious",
            "outraged",
            "disgusted",
            "appalling",
            "pathetic",
        ),
    ),
)
SHOUTING = Cue("all caps", 0.15, ())
EXCLAMATIONS = Cue("exclamation run", 0.15, ())
REPEAT_CONTACTS = "repeat contacts"

# Support text is full of capitals that are not shouting: acronyms, product names, error codes. A word in
# capitals counts towards shouting only when it is not one of these, has no digit, and has 4+ letters.
ACRONYMS = frozenset(
    [
        "API",
        "APIS",
        "ERP",
        "CRM",
        "SSO",
        "SAML",
        "OKTA",
        "LDAP",
        "OAUTH",
        "OIDC",
        "MFA",
        "TOTP",
        "VPN",
        "DNS",
        "DHCP",
        "HTTP",
        "HTTPS",
        "HTML",
        "JSON",
        "XML",
        "YAML",
        "CSV",
        "PDF",
        "XLSX",
        "DOCX",
        "SQL",
        "SMTP",
        "IMAP",
        "POP3",
        "FTP",
        "SFTP",
        "SSH",
        "SSL",
        "TLS",
        "URL",
        "URI",
        "UUID",
        "REST",
        "SOAP",
        "SDK",
        "CLI",
        "GUI",
        "UI",
        "UX",
        "AWS",
        "GCP",
        "AZURE",
        "SAAS",
        "PAAS",
        "IAAS",
        "SLA",
        "KPI",
        "ROI",
        "CEO",
        "CTO",
        "CFO",
        "HR",
        "IT",
        "QA",
        "ID",
        "IDS",
        "IP",
        "TCP",
        "UDP",
        "LAN",
        "WAN",
        "WIFI",
        "USB",
        "HDMI",
        "RAM",
        "CPU",
        "GPU",
        "SSD",
        "HDD",
        "NAS",
        "SAN",
        "OS",
        "IOS",
        "MACOS",
        "LINUX",
        "CRON",
        "JWT",
        "CORS",
        "CSRF",
        "XSS",
        "DDOS",
        "ACL",
        "RBAC",
        "SCIM",
        "AD",
        "ADFS",
        "ENTRA",
        "GDPR",
        "HIPAA",
        "PCI",
        "SOC",
        "ISO",
        "EU",
        "US",
        "UK",
        "USA",
        "EUR",
        "USD",
        "GBP",
        "ASAP",
        "FYI",
        "PST",
        "CET",
        "UTC",
        "GMT",
        "EOD",
        "ETA",
        "NPS",
        "CSAT",
        "SKU",
        "PO",
        "VAT",
        "IBAN",
        "SWIFT",
        "BIC",
        "SEPA",
        "ACH",
        "ATM",
        "POS",
        "ERROR",
        "WARN",
        "WARNING",
        "INFO",
        "DEBUG",
        "FATAL",
        "TRACE",
        "NULL",
        "NAN",
        "TRUE",
        "FALSE",
        "GET",
        "POST",
        "PUT",
        "PATCH",
        "DELETE",
        "HEAD",
        "OPTIONS",
        "SAP",
        "HANA",
        "JIRA",
        "SLACK",
        "TEAMS",
        "ZOOM",
        "ORACLE",
        "MYSQL",
        "NGINX",
        "IIS",
        "PHP",
        "JAVA",
        "NODE",
        "NPM",
    ]
)
CAPS_WORD = re.compile(r"(?<![\w/.-])([A-Z][A-Z'’]+)(?![\w/.-])")
EXCLAMATION_RUN = re.compile(r"!{2,}")
SHOUTED_LETTERS = 8  # a run of capitalised words this long (in letters) reads as shouting

# Quoted text, logs and code say nothing about the customer's mood: left out before reading it.
_FENCED = re.compile(r"```.*?```", re.DOTALL)
_LOG_LINE = re.compile(
    r"^\s*(?:>.*|.*\b\d{1,2}:\d{2}:\d{2}\b.*|.*\b(?:traceback|exception|stack trace)\b.*|\s*at [\w.$]+\(.*|"
    r".*\b(?:ERROR|WARN|WARNING|FATAL|DEBUG|INFO)\b\s*[:\[].*)$",
    re.IGNORECASE | re.MULTILINE,
)
_CODE_SPAN = re.compile(r"`[^`\n]+`")

# Words that name a fault rather than a feeling ("500 error", "SSO fails", "sync is blocked"): VADER
# reads them as negative emotion, so every bug report looked upset. They are neutral here; the feeling
# shows in the cues above and in the words around them.
FAULT_WORDS = frozenset(
    [
        "error",
        "errors",
        "fail",
        "fails",
        "failed",
        "failing",
        "failure",
        "failures",
        "problem",
        "problems",
        "issue",
        "issues",
        "crash",
        "crashes",
        "crashed",
        "broken",
        "block",
        "blocked",
        "blocking",
        "wrong",
        "denied",
        "lost",
        "loss",
        "missing",
        "fatal",
        "critical",
        "warning",
        "low",
        "stuck",
        "stop",
        "stopped",
        "stops",
        "leak",
        "leaks",
        "attack",
        "threat",
        "risk",
        "emergency",
        "reject",
        "rejected",
        "rejection",
        "delay",
        "delayed",
        "limited",
        "cancel",
        "cancelled",
        "canceled",
        "damage",
        "damaged",
        "kill",
        "killed",
        "killing",
        "disabled",
        "expired",
        "expire",
        "bug",
        "bugs",
    ]
)


@cache
def _compiled(phrases: tuple[str, ...]) -> re.Pattern:
    return re.compile(r"\b(?:" + "|".join(re.escape(p) for p in phrases) + r")", re.IGNORECASE)


@cache
def _analyzer():
    """One VADER analyzer per process (building it reads its lexicon from disk), with the words that
    name faults made neutral."""
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyzer = SentimentIntensityAnalyzer()
    for word in FAULT_WORDS:
        analyzer.lexicon.pop(word, None)
    return analyzer


@dataclass(frozen=True)
class Mood:
    sentiment: float  # -1 (angry) .. +1 (happy)
    frustration: float  # 0 (calm) .. 1 (furious)
    cues: list[str] = field(default_factory=list)


def _clamp(value: float, low: float, high: float) -> float:
    return max(low, min(high, value))


def customer_words(text: str) -> str:
    """The text without quoted lines, logs and code: what the customer says in their own words."""
    text = _FENCED.sub(" ", text)
    text = _LOG_LINE.sub(" ", text)
    return _CODE_SPAN.sub(" ", text)


def is_shouting(text: str) -> bool:
    """Runs of capitalised words that are not acronyms, product names or codes ("THIS IS THE THIRD TIME"),
    as opposed to "Okta SSO with SAML" or "PDF download gives HTTP 500"."""
    run: list[str] = []
    words = [(m.start(), m.end(), m.group(1)) for m in CAPS_WORD.finditer(text)]
    runs: list[list[str]] = []
    previous_end = None
    for start, end, word in words:
        if previous_end is not None and text[previous_end:start].strip(" ,:;-") == "":
            run.append(word)
        else:
            if run:
                runs.append(run)
            run = [word]
        previous_end = end
    if run:
        runs.append(run)
    shouted = [w for w in (m[2] for m in words) if _shouted_word(w)]
    if sum(len(w) >= 5 for w in shouted) >= 2:
        return True
    for words_in_run in runs:
        if len(words_in_run) < 2 or not any(_shouted_word(w) for w in words_in_run):
            continue
        if sum(len(w) for w in words_in_run if w.upper() not in ACRONYMS) >= SHOUTED_LETTERS:
            return True
    return False


def _shouted_word(word: str) -> bool:
    return len(word) >= 4 and word.upper().strip("'’") not in ACRONYMS


def _cues(text: str, repeat_contacts: int) -> list[tuple[str, float]]:
    found = [(cue.name, cue.weight) for cue in CUES if cue.pattern.search(text)]
    if is_shouting(text):
        found.append((SHOUTING.name, SHOUTING.weight))
    if EXCLAMATION_RUN.search(text):
        found.append((EXCLAMATIONS.name, EXCLAMATIONS.weight))
    if repeat_contacts > 0:
        found.append((REPEAT_CONTACTS, min(MAX_REPEAT, PER_REPEAT_CONTACT * repeat_contacts)))
    return found


def mood(text: str, *, repeat_contacts: int = 0) -> Mood:
    """Sentiment and frustration of one piece of customer text. Never raises for ordinary input."""
    text = customer_words(text or "")
    compound = _analyzer().polarity_scores(text)["compound"] if text.strip() else 0.0
    cues = _cues(text, max(0, repeat_contacts))
    pressure = sum(weight for _, weight in cues)
    return Mood(
        sentiment=round(_clamp(compound - pressure, -1.0, 1.0), 3),
        frustration=round(_clamp(NEGATIVITY_WEIGHT * max(0.0, -compound) + pressure, 0.0, 1.0), 3),
        cues=[name for name, _ in cues],
    )


def repeat_contacts(ticket: Ticket, *, follow_ups: int = 0, reads: KnownRows | None = None) -> int:
    """The customer's other recent tickets, plus their follow-up messages on this one."""
    if not ticket.customer_id:
        return follow_ups
    since = (ticket.created_at or timezone.now()) - dt.timedelta(days=REPEAT_LOOKBACK_DAYS)
    counted = reads.repeat_contacts(ticket, since) if reads else None
    if counted is not None:
        return counted + follow_ups
    others = Ticket.objects.filter(customer_id=ticket.customer_id, created_at__gte=since)
    if ticket.pk:
        others = others.exclude(pk=ticket.pk)
    return others.count() + follow_ups


def ticket_mood(ticket: Ticket, *, reads: KnownRows | None = None) -> Mood:
    """The mood of the customer's latest words on the ticket (subject and body for a new ticket)."""
    bodies = reads.bodies(ticket) if reads else None
    if bodies is None:
        bodies = (
            list(
                Message.objects.filter(
                    ticket_id=ticket.pk, author_kind=AuthorKind.CUSTOMER, is_internal=False
                )
                .order_by("-created_at", "-id")
                .values_list("body", flat=True)[:CUSTOMER_BODIES]
            )
            if ticket.pk
            else []
        )
    follow_ups = max(0, len(bodies) - 1)
    text = bodies[0] if follow_ups else f"{ticket.subject}\n{ticket.body}"
    return mood(text, repeat_contacts=repeat_contacts(ticket, follow_ups=follow_ups, reads=reads))


def with_mood(result: TriageResult, ticket: Ticket, *, reads: KnownRows | None = None) -> TriageResult:
    """The triage result with the ticket's current sentiment and frustration (kept if already set)."""
    if result.sentiment is not None and result.frustration is not None:
        return result
    felt = ticket_mood(ticket, reads=reads)
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
