"""The autonomy decision: may automation answer this ticket, must a person review a draft, or only a human?

`decide_autonomy` runs the ordered checks below; the first that answers wins, so a rule requiring a
human always beats any confidence. The thresholds are data (escalation.models.autonomy, edited in admin
and adapted from outcomes by escalation.autonomy.learning):
- human: a rule requires a human, the customer relationship is at risk (the guardrails of
  escalation.relationship.guardrails: frustration, repeat contacts, a key account near renewal, churn
  risk, cancellation intent; "review at most" when the admin chose so), automation already failed on this
  ticket, no category, the category is
  not marked automatable (policy exceptions, billing disputes ...), no confidence, or confidence below
  the review threshold;
- review: confidence between the review and the effective high threshold, or above it without a
  matching published knowledge-base article;
- autonomous: confidence at or above the effective high threshold with a matching article that links
  only to allowed domains (escalation/autonomy/answer_links.py); one linking elsewhere makes it review.

Only articles approved by a lead or admin of their team are used (escalation/autonomy/knowledge.py).

`apply_autonomy` acts on the decision for a new ticket (escalation.routing.choosers.by_automation calls it):
autonomous posts the article as a public automatic reply and waits for the customer (pending); review
stores a draft for an agent to approve while routing gives the ticket to an agent as usual.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings

from escalation.autonomy.answer_links import foreign_link_hosts
from escalation.autonomy.knowledge import best_article
from escalation.models.autonomy import FAILURES, AutomationRecord, CategoryAutonomy, Outcome, Thresholds
from escalation.triage.result import TriageResult
from helpdesk.events import event_record
from helpdesk.models import Article, Autonomy, Status, Ticket, Trigger
from helpdesk.services import message_add

REPLY_TEMPLATE = (
    "Hello,\n\nThis is an automatic answer from our knowledge base: {title}\n\n{body}\n\n"
    'Did this solve it? Reply "yes, that worked" and we will close the ticket. If it did not help, just '
    "tell us what is still wrong and a person from our team will take over."
)


@dataclass(frozen=True)
class AutonomyDecision:
    mode: str  # Autonomy value
    reason: str
    threshold: float | None = None
    confidence: float | None = None
    article: Article | None = None


def thresholds_for(category_id: int) -> Thresholds:
    """The category's thresholds with the defaults filled in (no row yet: the defaults)."""
    setting = CategoryAutonomy.objects.filter(category_id=category_id).first()
    return (setting or CategoryAutonomy(category_id=category_id)).resolved()


def _pct(value: float) -> str:
    return f"{value:.0%}"


@dataclass(frozen=True)
class Case:
    """What the checks look at (loaded lazily: most tickets stop at the first checks)."""

    ticket: Ticket
    triage: TriageResult
    human_required: bool
    risks: tuple[str, ...] = ()  # relationship guardrails that hold
    risk_mode: str = Autonomy.HUMAN  # what they allow: human, or review at most

    @property
    def category(self) -> str:
        return self.ticket.category.name if self.ticket.category_id else ""


def _rule_requires_human(case: Case, _t) -> AutonomyDecision | None:
    return AutonomyDecision(Autonomy.HUMAN, "A rule requires a human.") if case.human_required else None


def risk_reason(risks: tuple[str, ...] | list[str]) -> str:
    return "Relationship risk keeps automation out: " + "; ".join(risks) + "."


def _relationship_at_risk(case: Case, _t) -> AutonomyDecision | None:
    if not case.risks or case.risk_mode != Autonomy.HUMAN:
        return None
    return AutonomyDecision(Autonomy.HUMAN, risk_reason(case.risks))


def _already_automated(case: Case, _t) -> AutonomyDecision | None:
    """Automation acts once, on a new ticket; later routing runs keep what it did (or hand it to people)."""
    ticket = case.ticket
    if ticket.pk is None or ticket.autonomy not in (Autonomy.AUTONOMOUS, Autonomy.REVIEW):
        return None
    record = AutomationRecord.objects.filter(ticket_id=ticket.pk).first()
    if record is None:
        return None
    if record.outcome in FAILURES:
        return AutonomyDecision(
            Autonomy.HUMAN, f"Automation did not work out ({record.get_outcome_display()})."
        )
    return AutonomyDecision(record.mode, f"Automation already handled it ({record.get_outcome_display()}).")


def _no_category(case: Case, _t) -> AutonomyDecision | None:
    return (
        None
        if case.ticket.category_id
        else AutonomyDecision(Autonomy.HUMAN, "No category: people handle it.")
    )


def _not_automatable(case: Case, _t) -> AutonomyDecision | None:
    if case.ticket.category.is_automatable:
        return None
    return AutonomyDecision(Autonomy.HUMAN, f"{case.category} is not marked automatable: people handle it.")


def _no_confidence(case: Case, _t) -> AutonomyDecision | None:
    if case.triage.confidence is not None:
        return None
    return AutonomyDecision(Autonomy.HUMAN, "No confidence score (no trained model): people handle it.")


def _below_review(case: Case, t: Thresholds) -> AutonomyDecision | None:
    confidence = case.triage.confidence
    if confidence >= t.review:
        return None
    return AutonomyDecision(
        Autonomy.HUMAN,
        f"confidence {_pct(confidence)} < {_pct(t.review)} review threshold for {case.category}",
        t.review,
        confidence,
    )


def _review_band(case: Case, t: Thresholds) -> AutonomyDecision | None:
    confidence = case.triage.confidence
    if confidence >= t.effective:
        return None
    article = best_article(case.ticket)
    answer = f"; draft: article '{article.title}'" if article else "; no matching article to draft from"
    return AutonomyDecision(
        Autonomy.REVIEW,
        f"confidence {_pct(confidence)} between {_pct(t.review)} and {_pct(t.effective)} for "
        f"{case.category}: an agent reviews{answer}",
        t.effective,
        confidence,
        article,
    )


def _autonomous(case: Case, t: Thresholds) -> AutonomyDecision:
    confidence, article = case.triage.confidence, best_article(case.ticket)
    if article is None:
        return AutonomyDecision(
            Autonomy.REVIEW,
            f"confidence {_pct(confidence)} ≥ {_pct(t.effective)} for {case.category}, but no approved "
            "article matches: an agent reviews",
            t.effective,
            confidence,
        )
    if article.internal_only:  # written for staff: never sent to a customer as it stands
        return AutonomyDecision(
            Autonomy.REVIEW,
            f"confidence {_pct(confidence)} ≥ {_pct(t.effective)} for {case.category}, but the matching "
            f"article '{article.title}' is internal-only: an agent reviews",
            t.effective,
            confidence,
            article,
        )
    foreign = foreign_link_hosts(f"{article.title}\n{article.body}")
    if foreign:
        return AutonomyDecision(
            Autonomy.REVIEW,
            f"confidence {_pct(confidence)} ≥ {_pct(t.effective)} for {case.category}, but article "
            f"'{article.title}' links outside the allowed domains ({', '.join(foreign)}): an agent reviews",
            t.effective,
            confidence,
            article,
        )
    return AutonomyDecision(
        Autonomy.AUTONOMOUS,
        f"confidence {_pct(confidence)} ≥ {_pct(t.effective)} for {case.category}; answer: article "
        f"'{article.title}'",
        t.effective,
        confidence,
        article,
    )


# Checks that need no thresholds come first, so most human tickets cost no extra query.
FIRST_CHECKS: list[Callable[[Case, None], AutonomyDecision | None]] = [
    _rule_requires_human,
    _relationship_at_risk,
    _already_automated,
    _no_category,
    _not_automatable,
    _no_confidence,
]
BAND_CHECKS: list[Callable[[Case, Thresholds], AutonomyDecision | None]] = [_below_review, _review_band]


def decide_autonomy(
    ticket: Ticket,
    triage: TriageResult,
    *,
    human_required: bool,
    risks: tuple[str, ...] | list[str] = (),
    risk_mode: str = Autonomy.HUMAN,
) -> AutonomyDecision:
    """`risks`: the relationship guardrails that hold (escalation.relationship.guardrails); with
    `risk_mode` review they cap the decision at a draft for review instead of keeping it human."""
    case = Case(ticket, triage, human_required, tuple(risks), risk_mode)
    decision = _decide(case)
    if case.risks and decision.mode == Autonomy.AUTONOMOUS:  # review at most
        return AutonomyDecision(
            Autonomy.REVIEW,
            f"{risk_reason(case.risks)} An agent reviews the draft ({decision.reason})",
            decision.threshold,
            decision.confidence,
            decision.article,
        )
    return decision


def _decide(case: Case) -> AutonomyDecision:
    for check in FIRST_CHECKS:
        decision = check(case, None)
        if decision is not None:
            return decision
    thresholds = thresholds_for(case.ticket.category_id)
    for check in BAND_CHECKS:
        decision = check(case, thresholds)
        if decision is not None:
            return decision
    return _autonomous(case, thresholds)


# --- acting on it -----------------------------------------------------------------------------------


def reply_text(article: Article) -> str:
    """The automatic answer; it links the article in the help center, where the customer's "Was this
    helpful?" settles the answer too (escalation.helpcenter.services)."""
    text = REPLY_TEMPLATE.format(title=article.title, body=article.body.strip())
    if article.is_published and not article.internal_only:
        text += (
            f"\n\nThe article in our help center: {settings.HELPDESK_BASE_URL}{article.get_absolute_url()}"
        )
    return text


def _record(ticket: Ticket, decision: AutonomyDecision) -> AutomationRecord:
    article = decision.article
    record, _ = AutomationRecord.objects.update_or_create(
        ticket=ticket,
        defaults={
            "mode": decision.mode,
            "category_id": ticket.category_id,
            "confidence": decision.confidence,
            "threshold": decision.threshold,
            "article": article,
            "draft": reply_text(article) if article else "",
            "outcome": Outcome.PENDING,
        },
    )
    return record


def _answer(ticket: Ticket, decision: AutonomyDecision) -> bool:
    """Send the article as an automatic public reply and wait for the customer's answer."""
    record = _record(ticket, decision)
    message_add(ticket=ticket, author=None, body=record.draft, then_status=Status.PENDING)
    event_record(
        ticket=ticket,
        code="automation.replied",
        trigger=Trigger.MODEL,
        reason=decision.reason,
        details={"article_id": record.article_id, "confidence": decision.confidence},
    )
    return True


def _draft(ticket: Ticket, decision: AutonomyDecision) -> bool:
    """Keep a draft for the agent who gets the ticket; nothing reaches the customer before approval."""
    if decision.article is None:
        return False
    _record(ticket, decision)
    event_record(
        ticket=ticket,
        code="automation.draft",
        trigger=Trigger.MODEL,
        reason=decision.reason,
        details={"article_id": decision.article.pk, "confidence": decision.confidence},
    )
    return False


ACTIONS: dict[str, Callable[[Ticket, AutonomyDecision], bool]] = {
    Autonomy.AUTONOMOUS: _answer,
    Autonomy.REVIEW: _draft,
}


def apply_autonomy(ticket: Ticket, decision: AutonomyDecision) -> bool:
    """Act on an autonomous/review decision. True when automation handled the ticket (no agent needed)."""
    action = ACTIONS.get(decision.mode)
    return action(ticket, decision) if action else False
