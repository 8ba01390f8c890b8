"""Business impact and technical complexity, read from what the customer wrote.

A senior support lead reads "SSO fails for all 40 users. Production blocked!" as an outage, whatever the
account: many people or production stopped, data lost, a security exposure or money that cannot come in.
They read "intermittent API timeouts in production during peak hours" as a hard problem that tier 1 will
only pass on. `read_impact(text)` names both, with the phrases that gave them away:

- impact kinds: outage (production down or blocked), scope (all users, the whole company, 40 users),
  data loss, security exposure, revenue blocked. One kind is a major impact (priority at least high);
  two or more, or production down outright, are critical (urgent).
- complexity cues: several systems at once (API, webhooks, SSO, ERP, integrations, custom configuration),
  intermittent behaviour, load-dependent behaviour (peak hours, under load), production environments.
  Three or more cues, or three distinct systems, make the ticket complex: it starts at tier 2.

Pure functions of the text: no database, cheap enough to run on every routing pass.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from helpdesk.models import Priority

_FLAGS = re.IGNORECASE

IMPACT_PATTERNS: dict[str, tuple[re.Pattern, ...]] = {
    "outage": (
        re.compile(
            r"\b(production|prod|live (site|system)|our (site|shop|store|platform|service))\b"
            r"[^.!?\n]{0,40}\b(down|blocked|halted|stopped|offline|unavailable|is out)\b",
            _FLAGS,
        ),
        re.compile(r"\b(outage|system down|site down|service down|prod down|production down)\b", _FLAGS),
        re.compile(r"\b(down|blocked|halted|stopped)\b[^.!?\n]{0,20}\bin production\b", _FLAGS),
    ),
    "scope": (
        re.compile(
            r"\ball (of )?(our |the )?(\d+ )?(users|employees|staff|customers|accounts|agents)\b", _FLAGS
        ),
        re.compile(
            r"\b(everyone|everybody)( here| in the company)? (is |are )?(affected|blocked|locked out)\b",
            _FLAGS,
        ),
        re.compile(
            r"\b(nobody|no one)( here| in the company)? (can|is able to) (log ?in|sign in|work|access|use)\b",
            _FLAGS,
        ),
        re.compile(r"\b(whole|entire) (company|team|organi[sz]ation|office|department)\b", _FLAGS),
        re.compile(r"\b([2-9]\d|\d{3,})\+? (users|employees|people|staff|customers)\b", _FLAGS),
    ),
    "data loss": (
        re.compile(
            r"\b(data loss|lost (all )?(our |the )?data|data (was |is |got )?(deleted|wiped|gone|lost))\b",
            _FLAGS,
        ),
        re.compile(
            r"\b(records|files|orders|invoices) (were |are |got )?(deleted|wiped|gone|lost)\b", _FLAGS
        ),
        re.compile(r"\bdata (is |was )?corrupt(ed)?\b", _FLAGS),
    ),
    "security exposure": (
        re.compile(
            r"\b(data|records|customer data|personal data|credentials|passwords?) (were |was |are |is )?"
            r"(exposed|leaked|public|visible to)\b",
            _FLAGS,
        ),
        re.compile(
            r"\b(data breach|security breach|unauthori[sz]ed access|account (was )?compromised)\b", _FLAGS
        ),
        re.compile(
            r"\b(can see|could see) (other|another) (customers?|companies|tenants?)('s)? data\b", _FLAGS
        ),
    ),
    "revenue blocked": (
        re.compile(
            r"\b(can't|cannot|unable to|not able to) (invoice|bill|take (orders|payments)|sell|ship|"
            r"process (orders|payments))\b",
            _FLAGS,
        ),
        re.compile(
            r"\b(checkout|payments?|orders?|sales) (is |are )?(down|blocked|failing|broken|stopped)\b", _FLAGS
        ),
        re.compile(r"\b(losing|lose|losses of) (money|revenue|sales|orders|customers)\b", _FLAGS),
        re.compile(r"\brevenue (is )?(blocked|at risk|impacted|lost)\b", _FLAGS),
    ),
}

COMPLEXITY_PATTERNS: dict[str, re.Pattern] = {
    "several systems": re.compile(
        r"\b(api|apis|webhooks?|sso|saml|oauth|ldap|scim|erp|crm|integrations?|database|sync|middleware|"
        r"custom (configuration|config|fields|scripts?|code))\b",
        _FLAGS,
    ),
    "intermittent": re.compile(
        r"\b(intermittent(ly)?|sporadic(ally)?|randomly|from time to time|sometimes|flaky|every few)\b",
        _FLAGS,
    ),
    "under load": re.compile(
        r"\b(peak (hours|times?|load)|under (heavy )?load|high (traffic|volume)|at scale|race condition|"
        r"timeouts?|time out|timing out|latency|memory leak|deadlock)\b",
        _FLAGS,
    ),
    "production": re.compile(
        r"\b(production|prod|live) (environment|system|instance|tenant|cluster)\b", _FLAGS
    ),
}
SYSTEMS_FOR_A_CUE = 2  # distinct systems named before "several systems" counts
COMPLEX_AT = 3  # complexity cues that make a ticket start at tier 2
COMPLEX_TIER = 2
MANY_SYSTEMS = 3  # this many distinct systems in one ticket make it complex on their own


@dataclass(frozen=True)
class Impact:
    kinds: tuple[str, ...] = ()  # business impact kinds found
    phrases: tuple[str, ...] = ()  # the words that showed them
    complexity: tuple[str, ...] = ()  # complexity cues found
    systems: tuple[str, ...] = field(default=())

    @property
    def floor(self) -> str | None:
        """The lowest priority this impact allows: urgent when critical, high when major."""
        if not self.kinds:
            return None
        critical = len(self.kinds) >= 2 or ("outage" in self.kinds and "production" in " ".join(self.phrases))
        return Priority.URGENT if critical else Priority.HIGH

    @property
    def complex(self) -> bool:
        return len(self.complexity) >= COMPLEX_AT or len(self.systems) >= MANY_SYSTEMS

    def describe(self) -> str:
        shown = ", ".join(f"'{p}'" for p in self.phrases[:3])
        return f"{' + '.join(self.kinds)} ({shown})" if self.kinds else "no business impact stated"

    def describe_complexity(self) -> str:
        systems = f" [{', '.join(self.systems)}]" if self.systems else ""
        return ", ".join(self.complexity) + systems


def read_impact(text: str) -> Impact:
    """The business impact and complexity the text states (see the module docstring)."""
    text = text or ""
    kinds, phrases = [], []
    for kind, patterns in IMPACT_PATTERNS.items():
        for pattern in patterns:
            match = pattern.search(text)
            if match:
                kinds.append(kind)
                phrases.append(match.group(0).strip().lower())
                break
    systems = tuple(
        dict.fromkeys(m.group(0).lower() for m in COMPLEXITY_PATTERNS["several systems"].finditer(text))
    )
    complexity = []
    for cue, pattern in COMPLEXITY_PATTERNS.items():
        if cue == "several systems":
            if len(systems) >= SYSTEMS_FOR_A_CUE:
                complexity.append(cue)
        elif pattern.search(text):
            complexity.append(cue)
    return Impact(tuple(kinds), tuple(phrases), tuple(complexity), systems)
