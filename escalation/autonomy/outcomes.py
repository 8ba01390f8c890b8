"""How automatic answers and drafts turn out, from what happens to their tickets afterwards.

Ticket events reach `on_event` through a background task (escalation.receivers hands them over after
commit, only for tickets automation worked on, so other tickets cost nothing):
- the customer answers an automatic reply: a clear confirmation ("thanks, that worked") resolves the
  ticket; anything else (did not help, still broken, a further question) hands it to a person at once;
- an automatically resolved ticket is reopened, or rated low: the answer failed after all;
- the customer opens a new ticket in the same category within the follow-up window: it failed too
  (checked once the new ticket's first routing has given it its category: `watch_for_follow_up`).
`settle_expired` (scheduled) resolves automatic answers nobody replied to within the window: success.
`draft_approve` / `draft_discard` are the agent's verdict on a review draft.
Every outcome feeds escalation.autonomy.learning.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from escalation.autonomy.decision import thresholds_for
from escalation.autonomy.learning import settle
from escalation.models.autonomy import SUCCESSES, AutomationRecord, Outcome
from helpdesk.background import enqueue
from helpdesk.events import event_record
from helpdesk.models import Autonomy, Message, Status, Ticket, TicketEvent, Trigger
from helpdesk.services import message_add, ticket_resolve

logger = logging.getLogger(__name__)

CONFIRMING = re.compile(
    r"\b(?:that|it|this) (?:worked|helped|fixed it|did it)\b|\bworks now\b|\bworking now\b|\bsolved\b|"
    r"\bfixed\b|\ball good\b|\bperfect\b|\bresolved\b",
    re.IGNORECASE,
)
DOUBTING = re.compile(r"\b(?:not|no|never|nothing|still|but|again|however)\b|n't|\?", re.IGNORECASE)
MIN_WINDOW = dt.timedelta(days=1)  # the shortest follow-up window an admin can set


def confirms(text: str) -> bool:
    """A clear "it worked" without a "but", a negation or a further question."""
    return bool(CONFIRMING.search(text or "")) and not DOUBTING.search(text or "")


def _record(ticket_id: int, *, mode: str = Autonomy.AUTONOMOUS) -> AutomationRecord | None:
    return AutomationRecord.objects.filter(ticket_id=ticket_id, mode=mode).first()


def _route_to_people(ticket_id: int) -> None:
    from escalation.routing.engine import route  # routing imports the autonomy decision: import late

    route(ticket_id, trigger="reopened")


def on_customer_message(event: TicketEvent) -> None:
    record = _record(event.ticket_id)
    if record is None or not record.is_pending:
        return
    message = Message.objects.filter(pk=event.details.get("message_id")).first()
    text = message.body if message else ""
    if confirms(text):
        ticket_resolve(
            ticket=event.ticket,
            actor=None,
            trigger=Trigger.SYSTEM,
            reason="The customer confirmed the automatic answer.",
        )
        settle(record, Outcome.CONFIRMED)
        return
    with transaction.atomic():
        event_record(
            ticket=event.ticket,
            code="automation.rejected",
            actor=event.actor,
            trigger=Trigger.SYSTEM,
            reason=f"The customer answered: “{text[:200]}”",
            details={"message_id": event.details.get("message_id")},
        )
        settle(record, Outcome.REOPENED, note="the customer said it did not help")
    _route_to_people(event.ticket_id)


def on_reopened(event: TicketEvent) -> None:
    record = _record(event.ticket_id)
    if record is not None and record.outcome in SUCCESSES:
        settle(record, Outcome.REOPENED, note="reopened after it was resolved")


def on_rated(event: TicketEvent) -> None:
    record = _record(event.ticket_id)
    if record is None or record.outcome not in SUCCESSES or not record.category_id:
        return
    score = int(event.to_value or 0)
    if score <= thresholds_for(record.category_id).low_csat:
        settle(record, Outcome.LOW_CSAT, note=f"rated {score}/5")


def watch_for_follow_up(ticket: Ticket) -> None:
    """Called by a new ticket's first routing, which settles its category: in an automatable category,
    check after commit whether it follows up on a recent automatic answer (`follow_up_check`)."""
    if ticket.category_id and ticket.category.is_automatable:
        transaction.on_commit(lambda: enqueue("escalation.tasks.follow_up_check", ticket.pk))


def follow_up_check(ticket_id: int) -> None:
    """A new ticket from a customer whose automatic answer in the same category resolved recently."""
    ticket = Ticket.objects.filter(pk=ticket_id).first()
    if ticket is None or not ticket.category_id:
        return
    window = dt.timedelta(days=thresholds_for(ticket.category_id).follow_up_days)
    earlier = (
        AutomationRecord.objects.filter(
            mode=Autonomy.AUTONOMOUS,
            category_id=ticket.category_id,
            ticket__customer_id=ticket.customer_id,
            outcome__in=SUCCESSES,
            outcome_at__gte=ticket.created_at - window,
        )
        .exclude(ticket_id=ticket.pk)
        .order_by("-outcome_at")
        .first()
    )
    if earlier is not None:
        settle(earlier, Outcome.FOLLOWED_UP, note=f"the customer opened #{ticket.pk} about it")


EVENT_HANDLERS: dict[str, Callable[[TicketEvent], None]] = {
    "message.customer": on_customer_message,
    "ticket.reopened": on_reopened,
    "csat.rated": on_rated,
}


def wants(event: TicketEvent) -> bool:
    """Cheap, in-memory: is this event about a ticket automation answered?"""
    return event.code in EVENT_HANDLERS and event.ticket.autonomy == Autonomy.AUTONOMOUS


def on_event(event_id: int) -> None:
    event = TicketEvent.objects.select_related("ticket", "actor").filter(pk=event_id).first()
    if event is not None and event.code in EVENT_HANDLERS:
        EVENT_HANDLERS[event.code](event)


def settle_expired(now: dt.datetime | None = None) -> int:
    """Automatic answers the customer left unanswered for the follow-up window: resolved, a success."""
    now = now or timezone.now()
    due = AutomationRecord.objects.filter(
        mode=Autonomy.AUTONOMOUS,
        outcome=Outcome.PENDING,
        created_at__lte=now - MIN_WINDOW,
        ticket__status=Status.PENDING,
    ).select_related("ticket")
    settled = 0
    for record in due:
        days = thresholds_for(record.category_id).follow_up_days if record.category_id else 1
        if record.created_at > now - dt.timedelta(days=days):
            continue
        try:
            with transaction.atomic():
                ticket_resolve(
                    ticket=record.ticket,
                    actor=None,
                    trigger=Trigger.SYSTEM,
                    reason=f"No answer to the automatic reply within {days} day(s): counted as solved.",
                )
                settle(record, Outcome.UNANSWERED)
            settled += 1
        except ValidationError:  # resolved meanwhile by someone else
            logger.info("automatic answer on #%s was settled meanwhile", record.ticket_id)
    return settled


# --- the agent's verdict on a review draft ------------------------------------------------------------


def pending_draft(ticket: Ticket) -> AutomationRecord | None:
    """The draft waiting for an agent's approval on this ticket, if any."""
    return (
        AutomationRecord.objects.select_related("article")
        .filter(ticket_id=ticket.pk, mode=Autonomy.REVIEW, outcome=Outcome.PENDING)
        .exclude(draft="")
        .first()
    )


def _verdict(ticket: Ticket, agent_user: AbstractBaseUser, outcome: str, code: str) -> AutomationRecord:
    record = pending_draft(ticket)
    if record is None:
        raise ValidationError({"draft": ["There is no draft waiting for approval on this ticket."]})
    AutomationRecord.objects.filter(pk=record.pk).update(decided_by=agent_user)
    settle(record, outcome, note=f"by {agent_user.get_username()}")
    event_record(ticket=ticket, code=code, actor=agent_user, trigger=Trigger.MANUAL)
    return record


def draft_approve(*, ticket: Ticket, agent_user: AbstractBaseUser, body: str) -> Message:
    """Send the (possibly edited) draft as the agent's public reply; the draft counts as a success."""
    with transaction.atomic():
        if pending_draft(ticket) is None:
            raise ValidationError({"draft": ["There is no draft waiting for approval on this ticket."]})
        message = message_add(ticket=ticket, author=agent_user, body=body)
        _verdict(ticket, agent_user, Outcome.APPROVED, "automation.approved")
    return message


def draft_discard(*, ticket: Ticket, agent_user: AbstractBaseUser) -> None:
    """Throw the draft away; nothing reaches the customer, and it counts as a failure for the category."""
    with transaction.atomic():
        _verdict(ticket, agent_user, Outcome.REJECTED, "automation.discarded")
