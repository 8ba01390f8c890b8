"""The handoff summary: what the receiving agent needs to know after an escalation or re-route.

Built from data only: why it moved (trigger and reason), what was already tried (the previous replies
and notes), the account's context, related recent tickets, and what the previous owner recommends
(their last internal note; the reason they gave is already the "why"). Nobody should need to ask the
customer again.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone

from helpdesk.models import AuthorKind, Message, Ticket, TicketEvent, Trigger

HANDOFF_CODES = {
    "escalation.functional": "Functional escalation",
    "escalation.hierarchical": "Hierarchical escalation",
    "ticket.declined": "Declined by the previous agent",
    "ticket.unassigned": "Re-routed: the previous agent became unavailable",
}
CONTEXT_CODES = ("ticket.assigned", "routing.circular_blocked")
TRIED_LIMIT = 5
RELATED_LIMIT = 5


@dataclass(frozen=True)
class Handoff:
    event: TicketEvent
    title: str
    trigger: str
    reason: str
    previous_owner: str
    blocked: str = ""  # why routing stopped the ticket bouncing, when it did
    tried: list[Message] = field(default_factory=list)
    recommendation: str = ""
    account: list[tuple[str, str]] = field(default_factory=list)
    related: list[Ticket] = field(default_factory=list)


def _renewal_words(days: int | None) -> str:
    if days is None:
        return "not scheduled"
    return f"in {days} days" if days >= 0 else f"{-days} days ago"


def _account_facts(ticket: Ticket, today) -> list[tuple[str, str]]:
    org = ticket.organization
    if org is None:
        return []
    days = org.days_to_renewal(today)
    facts = [
        ("Organization", org.name),
        ("Segment", org.get_segment_display()),
        ("Contract value", f"{org.annual_contract_value:,.0f} a year"),
        ("Renewal", _renewal_words(days)),
        ("Churn risk", f"{org.churn_risk:.0%}"),
    ]
    if org.is_vip:
        facts.append(("VIP", "yes"))
    if org.health_score is not None:
        facts.append(("Account health", f"{org.health_score:.0f}/100{' — at risk' if org.at_risk else ''}"))
    facts.extend(_usage_facts(org.usage_trends or {}))
    return facts


def _usage_facts(trends: dict) -> list[tuple[str, str]]:
    """Each usage measure's latest value and its change over 30 days (7 when that is all there is)."""
    facts = []
    for measure, trend in sorted(trends.items()):
        label = measure.replace("_", " ").capitalize()
        words = f"{trend.get('latest', 0):,.10g} on {trend.get('date', '?')}"
        changes = trend.get("change", {})
        for days in ("30", "7"):
            if days in changes:
                words += f" ({changes[days]:+.0%} in {days} days)"
                break
        facts.append((label, words))
    return facts


def handoff_for(ticket: Ticket, *, today=None) -> Handoff | None:
    """The summary of the ticket's latest handoff, or None when it never changed hands that way."""
    events = list(
        ticket.events.filter(code__in=[*HANDOFF_CODES, *CONTEXT_CODES])
        .exclude(Q(code="ticket.unassigned") & ~Q(trigger=Trigger.ROUTING))
        .select_related(
            "actor", "from_agent__user", "to_agent__user", "from_team", "to_team", "from_tier", "to_tier"
        )
        .order_by("created_at", "id")
    )
    moves = [i for i, e in enumerate(events) if e.code in HANDOFF_CODES]
    if not moves:
        return None
    event = events[moves[-1]]
    owners = [e.to_agent for e in events[: moves[-1]] if e.code == "ticket.assigned" and e.to_agent]
    blocked = [e.reason for e in events[moves[-1] :] if e.code == "routing.circular_blocked"]
    before = ticket.messages.filter(author_kind=AuthorKind.AGENT, created_at__lte=event.created_at)
    tried = list(before.select_related("author").order_by("-created_at", "-id")[:TRIED_LIMIT])[::-1]
    previous = event.from_agent or (owners[-1] if owners else None)
    own_notes = [m for m in tried if m.is_internal and previous and m.author_id == previous.user_id]
    related = (
        Ticket.objects.filter(
            Q(customer_id=ticket.customer_id) | Q(organization_id=ticket.organization_id or -1)
        )
        .exclude(pk=ticket.pk)
        .select_related("team")
        .order_by("-created_at")[:RELATED_LIMIT]
    )
    return Handoff(
        event=event,
        title=HANDOFF_CODES[event.code],
        trigger=Trigger(event.trigger).label if event.trigger in Trigger.values else event.trigger,
        reason=event.reason,
        previous_owner=str(previous) if previous else "nobody yet",
        blocked=blocked[-1] if blocked else "",
        tried=tried,
        recommendation=own_notes[-1].body if own_notes else "",
        account=_account_facts(ticket, today or timezone.localdate()),
        related=list(related),
    )
