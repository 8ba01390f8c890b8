"""Which SLA policy a ticket runs on, and its business-hours calendar.

A `PolicyBook` holds every active policy and calendar (three small queries); the sweep loads it once per
pass, so admin edits apply from the next pass on. Intake and other single-ticket callers share one book
per process (`current_book`, escalation/process_cache.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Prefetch

from escalation.models.sla import BusinessCalendar, SlaPolicy
from escalation.process_cache import ProcessCache
from escalation.sla.business_time import WorkingHours
from helpdesk.models import Ticket, Tier

# Tie-break order after the number of criteria: a category or team policy is more specific than a
# segment, priority or tier one.
MATCH_FIELDS = ("category_id", "team_id", "segment", "priority", "tier_id")


def ticket_facts(ticket: Ticket, *, default_tier_id: int | None) -> dict[str, object]:
    """The values policies match on. A ticket without a tier yet counts as the lowest tier (routing's default)."""
    organization = ticket.organization if ticket.organization_id else None
    return {
        "category_id": ticket.category_id,
        "team_id": ticket.team_id,
        "segment": organization.segment if organization else "",
        "priority": ticket.priority,
        "tier_id": ticket.tier_id or default_tier_id,
    }


def specificity(policy: SlaPolicy) -> tuple:
    """More criteria wins; then the criteria themselves in MATCH_FIELDS order; then the older policy."""
    criteria = [getattr(policy, name) not in (None, "") for name in MATCH_FIELDS]
    return (sum(criteria), *criteria, -(policy.pk or 0))


def policy_matches(policy: SlaPolicy, facts: dict[str, object]) -> bool:
    return all(getattr(policy, name) in (None, "", facts[name]) for name in MATCH_FIELDS)


def tier_fallback(tier: Tier) -> SlaPolicy:
    """An unsaved policy with the tier's own targets, 24/7, for tickets no policy matches."""
    return SlaPolicy(
        name=f"Tier {tier.level} targets (no policy matched)",
        first_response_minutes=tier.first_response_minutes,
        next_reply_minutes=tier.first_response_minutes,
        resolution_minutes=tier.resolution_minutes,
    )


@dataclass
class PolicyBook:
    policies: list[SlaPolicy]
    _tiers: dict[int, Tier] | None = None
    _hours: dict[int, WorkingHours] = field(default_factory=dict)

    @classmethod
    def load(cls) -> PolicyBook:
        calendars = BusinessCalendar.objects.prefetch_related("periods", "closed_days")
        policies = SlaPolicy.objects.filter(is_active=True).prefetch_related(
            Prefetch("calendar", queryset=calendars)
        )
        ranked = sorted(policies, key=specificity, reverse=True)
        return cls(policies=ranked)

    def tiers(self) -> dict[int, Tier]:
        if self._tiers is None:
            self._tiers = {tier.pk: tier for tier in Tier.objects.order_by("level")}
        return self._tiers

    def tier_above(self, tier: Tier | None) -> Tier | None:
        """The next tier up (a ticket without a tier counts as level 1), or None at the top."""
        level = tier.level if tier is not None else 1
        return next((t for t in self.tiers().values() if t.level > level), None)

    def lowest_tier(self) -> Tier | None:
        return next(iter(self.tiers().values()), None)

    def policy_for(self, ticket: Ticket) -> SlaPolicy | None:
        """The most specific active policy matching the ticket, else its tier's targets, else None."""
        lowest = self.lowest_tier()
        facts = ticket_facts(ticket, default_tier_id=lowest.pk if lowest else None)
        for policy in self.policies:  # ranked most specific first
            if policy_matches(policy, facts):
                return policy
        tier = self.tiers().get(ticket.tier_id) if ticket.tier_id else lowest
        return tier_fallback(tier) if tier else None

    def hours_for(self, policy: SlaPolicy | None) -> WorkingHours | None:
        """The policy's calendar as pure working hours; None means 24/7."""
        if policy is None or policy.calendar_id is None:
            return None
        if policy.calendar_id not in self._hours:
            self._hours[policy.calendar_id] = policy.calendar.working_hours()
        return self._hours[policy.calendar_id]


_book = ProcessCache(PolicyBook.load)


def current_book() -> PolicyBook:
    return _book.get()


def forget_book(**kwargs) -> None:
    """Drop the shared book (connected to saves of policies, calendars and tiers)."""
    _book.forget()
