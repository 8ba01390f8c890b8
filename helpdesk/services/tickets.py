"""Ticket lifecycle: create, assign, change status/priority, escalate, resolve, reopen."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from functools import cache
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import File
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from helpdesk import unit_of_work
from helpdesk.events import event_record
from helpdesk.models import (
    OPEN_STATUSES,
    Agent,
    AuthorKind,
    Category,
    CategorySource,
    Channel,
    Message,
    Priority,
    Status,
    Team,
    Ticket,
    TicketEvent,
    Tier,
    Trigger,
)
from helpdesk.permissions import is_below_ticket_tier
from helpdesk.services import errors
from helpdesk.services.attachments import IncomingFile, as_incoming, attachments_check, attachments_store
from helpdesk.services.message_ids import email_message_id
from helpdesk.services.subjects import subject_line
from helpdesk.signals import ticket_received

logger = logging.getLogger(__name__)

# Manual status changes an agent may make (resolve and reopen have their own services).
ALLOWED_STATUS_CHANGES: dict[str, set[str]] = {
    Status.NEW: {Status.OPEN, Status.PENDING, Status.ON_HOLD},
    Status.OPEN: {Status.PENDING, Status.ON_HOLD},
    Status.PENDING: {Status.OPEN, Status.ON_HOLD},
    Status.ON_HOLD: {Status.OPEN, Status.PENDING},
    Status.RESOLVED: {Status.CLOSED},
    Status.CLOSED: set(),
}


# Ticket metadata: who created the ticket for its customer (a user id), when that was someone else.
CREATED_BY = "created_by"


@cache
def _intake_hook():
    """The hook named in settings: the router's fast, synchronous first look at a new ticket."""
    path = settings.HELPDESK_INTAKE_HOOK
    return import_string(path) if path else None


def locked_ticket(ticket: Ticket | int) -> Ticket:
    """Re-read the ticket under a row lock, with the assignee, team and tier every change reads (only the
    ticket's row is locked, not theirs). Call inside transaction.atomic()."""
    pk = ticket if isinstance(ticket, int) else ticket.pk
    return (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("assignee__user", "team", "tier")
        .get(pk=pk)
    )


def _intake_errors(subject: str, body: str, channel: str, files: list[IncomingFile]) -> dict[str, list[str]]:
    """Every field a new ticket gets wrong, at once (a form shows them all)."""
    field_errors: dict[str, list[str]] = {}
    if not subject:
        field_errors["subject"] = [errors.ERR_SUBJECT_REQUIRED]
    elif len(subject) > settings.TICKET_SUBJECT_MAX:
        field_errors["subject"] = [f"Keep the subject under {settings.TICKET_SUBJECT_MAX} characters."]
    if not body:
        field_errors["body"] = [errors.ERR_BODY_REQUIRED]
    elif len(body) > settings.TICKET_BODY_MAX:
        field_errors["body"] = [f"Keep the description under {settings.TICKET_BODY_MAX:,} characters."]
    if channel not in Channel.values:
        field_errors["channel"] = [f"Choose one of: {', '.join(Channel.values)}."]
    try:
        attachments_check(files)
    except ValidationError as exc:
        field_errors.update(exc.message_dict)
    return field_errors


def ticket_create(
    *,
    customer: AbstractBaseUser,
    subject: str,
    body: str,
    channel: str = Channel.PORTAL,
    category: Category | None = None,
    language: str | None = None,
    portal_language: str | None = None,
    created_at: dt.datetime | None = None,
    actor: AbstractBaseUser | None = None,
    attachments: Sequence[File | IncomingFile] = (),
    message_id: str = "",
    metadata: dict[str, Any] | None = None,
) -> Ticket:
    """Save a new ticket with its first message, in one transaction, and hand it to routing.

    `metadata` starts the ticket's metadata (e.g. the mailbox an e-mail came to, a routing hint).

    Routing never runs here: `ticket_received` hands it to a background task after commit, and that
    first routing records the `ticket.created` event, dated at the ticket's creation, with the live
    announcement (ticket_arrivals_record). Intake so writes two rows: at full load it is the busiest
    write path.
    The intake hook may fill the SLA due times beforehand; triage is left to routing.

    Language (ISO 639-1): `language` when the caller states it; else what the intake hook settles from
    the customer's profile, the text and `portal_language` (the language the portal was used in); else
    the profile's. What each signal said is kept in `metadata["language"]`, with the source that won.
    A category the customer chose is recorded as theirs (`category_source`).
    """
    subject, body = subject_line(subject or ""), (body or "").strip()
    files = as_incoming(attachments)
    field_errors = _intake_errors(subject, body, channel, files)
    if field_errors:
        raise ValidationError(field_errors)

    profile = getattr(customer, "customer", None)
    now = created_at or timezone.now()
    ticket = Ticket(
        subject=subject,
        body=body,
        channel=channel,
        category=category,
        team=category.team if category else None,
        customer=customer,
        organization=profile.organization if profile else None,
        category_source=CategorySource.CUSTOMER if category else "",
        language=language_code(language or (profile.language if profile else "") or "en"),
        created_at=now,
        last_customer_message_at=now,
        metadata=dict(metadata or {}),
    )
    ticket.metadata["language"] = {
        "source": "stated" if language else "profile" if profile else "default",
        **({"profile": language_code(profile.language)} if profile and profile.language else {}),
        **({"portal": language_code(portal_language)} if portal_language else {}),
    }
    if actor is not None and actor.is_authenticated and actor.pk != customer.pk:
        ticket.metadata[CREATED_BY] = actor.pk  # an agent or an integration, for the created event
    prepare = _intake_hook()
    if prepare is not None:
        try:
            prepare(ticket)
        except Exception:  # intake must never fail because a first look failed; routing looks again later
            logger.exception("intake hook failed for a new ticket; routing will set it up")
    with transaction.atomic():
        ticket.save()
        first = Message.objects.create(
            ticket=ticket,
            author=customer,
            author_kind=AuthorKind.CUSTOMER,
            channel=channel,
            body=body,  # its mood is the ticket's, from routing's triage; later messages get their own
            # an e-mail's own Message-ID, else one of ours (helpdesk.services.messages.email_message_id)
            message_id=(message_id or email_message_id(ticket.pk))[:255],
            created_at=now,
        )
        if files:
            attachments_store(message=first, files=files, uploaded_by=customer)
        ticket_received.send(sender=Ticket, ticket_id=ticket.pk)
    return ticket


def language_code(value: str) -> str:
    """ "fr-CA", "pt_BR", "EN" → "fr", "pt", "en" (ISO 639-1)."""
    return (value or "en").strip().replace("_", "-").split("-")[0].lower()[:8] or "en"


def ticket_arrivals_record(tickets: list[Ticket]) -> None:
    """Record the `ticket.created` event of each of these tickets that has none yet, dated at the
    ticket's creation and published live (see ticket_create). Call inside the transaction that holds
    their rows locked, before anything else is recorded for them; `team` should be loaded."""
    recorded = set(
        TicketEvent.objects.filter(ticket__in=tickets, code="ticket.created").values_list(
            "ticket_id", flat=True
        )
    )
    for ticket in tickets:
        if ticket.pk not in recorded:
            event_record(
                ticket=ticket,
                code="ticket.created",
                actor_id=ticket.metadata.get(CREATED_BY, ticket.customer_id),
                trigger=Trigger.MANUAL,
                details={"channel": ticket.channel},
                to_team=ticket.team,
                at=ticket.created_at,
            )


def _check_tier(actor: AbstractBaseUser | None, locked: Ticket) -> None:
    """Refuse an agent below the ticket's tier (see helpdesk.permissions.is_below_ticket_tier)."""
    if is_below_ticket_tier(actor, locked):
        raise PermissionDenied(errors.ERR_BELOW_TIER)


def ticket_assign(
    *,
    ticket: Ticket,
    agent: Agent | None,
    actor: AbstractBaseUser | None,
    trigger: str = Trigger.MANUAL,
    reason: str = "",
    details: dict[str, Any] | None = None,
) -> Ticket:
    """Give the ticket to `agent` (or take it from its assignee when None). Opens a new ticket."""
    with transaction.atomic():
        locked = locked_ticket(ticket)
        if not locked.is_open:
            raise ValidationError({"non_field_errors": [errors.ERR_NOT_OPEN]})
        _check_tier(actor, locked)
        if (
            agent is not None
            and locked.team_id
            and not agent.sees_all_tickets
            and not agent.teams.filter(pk=locked.team_id).exists()
        ):
            raise ValidationError({"assignee": [errors.ERR_AGENT_NOT_IN_TEAM]})
        return do_ticket_assign(
            locked=locked, agent=agent, actor=actor, trigger=trigger, reason=reason, details=details
        )


def do_ticket_assign(
    *,
    locked: Ticket,
    agent: Agent | None,
    actor: AbstractBaseUser | None,
    trigger: str = Trigger.MANUAL,
    reason: str = "",
    details: dict[str, Any] | None = None,
    also_save: list[str] | tuple[str, ...] = (),
) -> Ticket:
    """The write half of ticket_assign. The caller holds the ticket's row lock (inside atomic()), has
    re-read it under that lock, and has checked that it is open and that the agent may work it.
    `also_save` names other fields the caller changed on `locked`, written in the same UPDATE."""
    previous = locked.assignee
    if previous == agent:
        return locked
    locked.assignee = agent
    fields = ["assignee", "updated_at", *also_save]
    if agent is not None and locked.status == Status.NEW:
        locked.status = Status.OPEN
        fields.append("status")
    unit_of_work.update(locked, fields)  # with the unit's gathered writes (the SLA sweep)
    code = "ticket.assigned" if agent is not None else "ticket.unassigned"
    event_record(
        ticket=locked,
        code=code,
        actor=actor,
        trigger=trigger,
        reason=reason,
        details=details,
        from_agent=previous,
        to_agent=agent,
    )
    return locked


def ticket_set_status(
    *, ticket: Ticket, status: str, actor: AbstractBaseUser | None, reason: str = ""
) -> Ticket:
    """Move between new/open/pending/on hold, or close a resolved ticket."""
    with transaction.atomic():
        locked = locked_ticket(ticket)
        old = locked.status
        if status == old:
            return locked
        _check_tier(actor, locked)
        if status not in ALLOWED_STATUS_CHANGES.get(old, set()):
            raise ValidationError(
                {
                    "status": [
                        errors.ERR_BAD_STATUS_CHANGE.format(
                            old=Status(old).label.lower(),
                            new=Status(status).label.lower() if status in Status.values else status,
                        )
                    ]
                }
            )
        now = timezone.now()
        locked.status = status
        fields = ["status", "updated_at"]
        if status == Status.CLOSED:
            locked.closed_at = now
            fields.append("closed_at")
        locked.save(update_fields=fields)
        event_record(
            ticket=locked,
            code="ticket.status_changed",
            actor=actor,
            reason=reason,
            from_value=old,
            to_value=status,
        )
    return locked


def ticket_set_priority(
    *,
    ticket: Ticket,
    priority: str,
    actor: AbstractBaseUser | None,
    trigger: str = Trigger.MANUAL,
    reason: str = "",
    score: float | None = None,
) -> Ticket:
    if priority not in Priority.values:
        raise ValidationError({"priority": [f"Choose one of: {', '.join(Priority.values)}."]})
    with transaction.atomic():
        locked = locked_ticket(ticket)
        old = locked.priority
        locked.priority = priority
        fields = ["priority", "updated_at"]
        if score is not None:
            locked.priority_score = score
            fields.append("priority_score")
        locked.save(update_fields=fields)
        if old != priority:
            event_record(
                ticket=locked,
                code="ticket.priority_changed",
                actor=actor,
                trigger=trigger,
                reason=reason,
                from_value=old,
                to_value=priority,
            )
    return locked


def ticket_set_category(
    *, ticket: Ticket, category: Category | None, actor: AbstractBaseUser | None, reason: str = ""
) -> Ticket:
    """An agent (re)categorises the ticket. Their choice is kept by routing from now on."""
    with transaction.atomic():
        locked = locked_ticket(ticket)
        old = locked.category
        locked.category = category
        locked.category_source = CategorySource.AGENT if category else ""
        locked.save(update_fields=["category", "category_source", "updated_at"])
        if (old.pk if old else None) != (category.pk if category else None):
            event_record(
                ticket=locked,
                code="ticket.category_changed",
                actor=actor,
                reason=reason or "Changed by an agent.",
                from_value=(old.name if old else "")[:40],
                to_value=(category.name if category else "")[:40],
                details={"source": CategorySource.AGENT},
            )
    return locked


def ticket_escalate(
    *,
    ticket: Ticket,
    kind: str,
    actor: AbstractBaseUser | None,
    reason: str,
    trigger: str = Trigger.MANUAL,
    team: Team | None = None,
    tier: Tier | None = None,
    details: dict[str, Any] | None = None,
    row_locked: bool = False,
) -> Ticket:
    """Hand the ticket on: functional = to another team's expertise, hierarchical = to a higher tier.

    The ticket leaves its current assignee and waits for routing, which the escalation event triggers.
    `row_locked`: the caller holds the ticket's row lock in this transaction and `ticket` is current
    (the SLA sweep's claim), so it is changed in place instead of being read again.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [errors.ERR_REASON_REQUIRED]})
    if kind not in ("functional", "hierarchical"):
        raise ValidationError({"kind": ["Choose functional (another team) or hierarchical (a higher tier)."]})
    with transaction.atomic():
        locked = ticket if row_locked else locked_ticket(ticket)
        if not locked.is_open:
            raise ValidationError({"non_field_errors": [errors.ERR_NOT_OPEN]})
        previous_agent, previous_team, previous_tier = locked.assignee, locked.team, locked.tier
        if kind == "functional":
            if team is None:
                raise ValidationError({"team": [errors.ERR_TEAM_REQUIRED]})
            if team.pk == locked.team_id:
                raise ValidationError({"team": [errors.ERR_SAME_TEAM]})
            locked.team = team
            if tier is not None:
                locked.tier = tier
        else:
            current_level = previous_tier.level if previous_tier else 1
            target = tier or Tier.objects.filter(level__gt=current_level).order_by("level").first()
            if target is None:
                raise ValidationError({"tier": [errors.ERR_NO_HIGHER_TIER]})
            if target.level <= current_level:
                raise ValidationError({"tier": [errors.ERR_TIER_NOT_HIGHER]})
            locked.tier = target
            if team is not None:
                locked.team = team
        locked.assignee = None
        locked.escalation_count += 1
        if locked.status == Status.NEW:
            locked.status = Status.OPEN
        unit_of_work.update(locked, ["team", "tier", "assignee", "escalation_count", "status", "updated_at"])
        event_record(
            ticket=locked,
            code=f"escalation.{kind}",
            actor=actor,
            trigger=trigger,
            reason=reason,
            details=details,
            from_team=previous_team,
            to_team=locked.team,
            from_tier=previous_tier,
            to_tier=locked.tier,
            from_agent=previous_agent,
        )
    return locked


def ticket_resolve(
    *, ticket: Ticket, actor: AbstractBaseUser | None, reason: str = "", trigger: str = Trigger.MANUAL
) -> Ticket:
    with transaction.atomic():
        locked = locked_ticket(ticket)
        if locked.status in (Status.RESOLVED, Status.CLOSED):
            raise ValidationError({"non_field_errors": [errors.ERR_ALREADY_RESOLVED]})
        _check_tier(actor, locked)
        old = locked.status
        locked.status = Status.RESOLVED
        locked.resolved_at = timezone.now()
        locked.save(update_fields=["status", "resolved_at", "updated_at"])
        event_record(
            ticket=locked,
            code="ticket.resolved",
            actor=actor,
            trigger=trigger,
            reason=reason,
            from_value=old,
            to_value=Status.RESOLVED,
            to_agent=locked.assignee,
        )
    return locked


def ticket_reopen(
    *, ticket: Ticket, actor: AbstractBaseUser | None, reason: str = "", trigger: str = Trigger.MANUAL
) -> Ticket:
    """A resolved ticket comes back (the customer wrote again, or an agent reopened it)."""
    with transaction.atomic():
        locked = locked_ticket(ticket)
        if locked.status == Status.CLOSED:
            raise ValidationError({"non_field_errors": [errors.ERR_TICKET_CLOSED]})
        if locked.status in OPEN_STATUSES:
            return locked
        locked.status = Status.OPEN
        locked.reopen_count += 1
        locked.resolved_at = None
        locked.save(update_fields=["status", "reopen_count", "resolved_at", "updated_at"])
        event_record(
            ticket=locked,
            code="ticket.reopened",
            actor=actor,
            trigger=trigger,
            reason=reason,
            from_value=Status.RESOLVED,
            to_value=Status.OPEN,
            from_agent=locked.assignee,
        )
    return locked


def ticket_decline(*, ticket: Ticket, agent: Agent, reason: str) -> Ticket:
    """The assigned agent hands the ticket back with a reason; routing then finds someone else.

    Records `ticket.declined` (from_agent = the decliner), which re-routes the ticket excluding them.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [errors.ERR_DECLINE_REASON_REQUIRED]})
    with transaction.atomic():
        locked = locked_ticket(ticket)
        if not locked.is_open:
            raise ValidationError({"non_field_errors": [errors.ERR_NOT_OPEN]})
        if locked.assignee_id != agent.pk:
            raise ValidationError({"non_field_errors": [errors.ERR_NOT_ASSIGNEE]})
        locked.assignee = None
        locked.save(update_fields=["assignee", "updated_at"])
        event_record(
            ticket=locked,
            code="ticket.declined",
            actor=agent.user,
            reason=reason,
            from_agent=agent,
        )
    return locked
