"""Plain-language explanations of routing decisions, written from the same data the decision stores."""

from __future__ import annotations

from collections import Counter

from escalation.routing.candidates import Assessment
from escalation.routing.scoring import Score
from escalation.triage import TriageResult

EXCLUSION_WORDS = {
    "declined": "declined or handed it on",
    "tier": "in another tier",
    "leave": "on leave",
    "status": "not available",
    "hours": "outside working hours",
    "skill": "missing a required skill",
    "language": "not speaking the language",
    "optional": "missing a preferred skill",
    "capacity": "at capacity",
}


def exclusions_summary(assessments: list[Assessment]) -> str:
    counts = Counter(a.code for a in assessments if not a.eligible)
    if not counts:
        return "nobody is a member of this team"
    return ", ".join(f"{n} {EXCLUSION_WORDS.get(code, code)}" for code, n in counts.most_common())


def why_agent(chosen: Assessment, *, eligible: int, preferred_reason: str = "") -> str:
    """Why this agent, in words: who they are to the ticket, then fit and load."""
    details = chosen.details
    reasons = [
        f"skill fit {details.get('skill_fit', 1):.0%}",
        f"{details.get('load', '?')} open before this one",
    ]
    if details.get("served_customer_well"):
        reasons.append("served this customer well before")
    if details.get("urgent"):
        reasons.append("urgent, so fit counted more than balance")
    lead = preferred_reason or f"the best of {eligible} eligible agent{'s' if eligible != 1 else ''}"
    return f"{lead}: {', '.join(reasons)}"


def priority_sentence(score: Score) -> str:
    top = sorted((f for f in score.factors if f.contribution > 0), key=lambda f: -f.contribution)[:3]
    parts = ", ".join(f"{f.label or f.name} +{f.contribution:g} ({f.detail})" for f in top)
    return f"Priority {score.priority} (score {score.value:g}){': ' + parts if parts else ''}."


def triage_sentence(triage: TriageResult) -> str:
    if triage.source == "model":
        confidence = f", confidence {triage.confidence:.0%}" if triage.confidence is not None else ""
        return f"Triage: model {triage.model_version or ''}{confidence}."
    return "Triage: keyword fallback (no trained model)."


def explanation(
    *, headline: str, score: Score, rules_fired: list[str], triage: TriageResult, notes: list[str]
) -> str:
    parts = [headline.rstrip(".") + ".", priority_sentence(score)]
    if rules_fired:
        parts.append("Rules fired: " + "; ".join(rules_fired) + ".")
    parts.extend(note.rstrip(".") + "." for note in notes)
    parts.append(triage_sentence(triage))
    return " ".join(parts)
