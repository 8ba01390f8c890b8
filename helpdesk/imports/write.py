"""Historical tickets from CSV (`manage.py import_tickets PATH.csv`, see docs/CONTRACT.md).

History is written in bulk, straight to the tables: no `ticket_create`, no `event_record`. Those would
route every old ticket, publish live events and enqueue background work for things that happened long
ago. The rows still look like tickets created normally (a first customer message, a `ticket.created`
event, escalation/resolution/CSAT facts where the file states them), so ticket pages, analytics and the
triage trainer read them like any other history.

Rules worth knowing:
- Idempotent on `external_id`: a known id updates the ticket's fields (and its first message and CSAT);
  the event log is append-only, so old events stay. Rows without an id are always created.
- Rows without `customer_email` belong to one importer customer per organization
  (`import+<organization>@import.invalid`), or to the single "Imported history" customer
  (`import@import.invalid`) when the row names no organization.
- Missing `created_at` = now minus the number of rows still to come, in seconds, so the file's order is
  kept as time order (the trainer holds out the newest 20%). An update keeps the ticket's time instead.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.text import slugify

from helpdesk.imports.parse import (
    BATCH_SIZE,
    ESCALATION_REASON,
    IMPORT_CUSTOMER_NAME,
    IMPORT_DOMAIN,
    RESOLVED_STATUSES,
    SOURCE,
    ImportResult,
    ImportRow,
    parse_file,
)
from helpdesk.models import (
    AuthorKind,
    Category,
    CategorySource,
    Csat,
    Message,
    Organization,
    Priority,
    Segment,
    Status,
    Team,
    Ticket,
    TicketEvent,
    Tier,
)
from helpdesk.services.customers import customer_get_or_create

# --- Related rows, looked up once per import -----------------------------------------------------


class References:
    """Teams, categories, organizations, customers and tiers, created when missing and cached, so a
    3,000-row file costs a handful of queries rather than several per row."""

    def __init__(self) -> None:
        self.teams = {team.name.lower(): team for team in Team.objects.all()}
        self.categories = {category.name.lower(): category for category in Category.objects.all()}
        self.organizations = {org.name.lower(): org for org in Organization.objects.all()}
        self.customers: dict[str, AbstractBaseUser] = {}
        tiers = {tier.level: tier for tier in Tier.objects.filter(level__in=(1, 2))}
        self.tier1, self.tier2 = tiers.get(1), tiers.get(2)

    def team(self, name: str) -> Team:
        """Case-insensitive match on existing teams; unknown teams are created."""
        key = name.lower()
        if key not in self.teams:
            self.teams[key] = Team.objects.create(name=name)
        return self.teams[key]

    def category(self, team: Team) -> Category:
        """The category named like the team, so imported topic groups become predictable categories."""
        key = team.name.lower()
        if key not in self.categories:
            self.categories[key] = Category.objects.create(name=team.name, team=team)
        return self.categories[key]

    def organization(self, name: str, segment: str | None) -> Organization | None:
        """Found by name (case-insensitive); a new one gets the row's segment. Existing organizations
        keep theirs: the admin's data wins over an old export."""
        if not name:
            return None
        key = name.lower()
        if key not in self.organizations:
            self.organizations[key] = Organization.objects.create(
                name=name, segment=segment or Segment.STANDARD
            )
        return self.organizations[key]

    def customer(self, email: str, organization: Organization | None) -> AbstractBaseUser:
        """The customer with this e-mail, created the way the API creates one; or the importer
        customer of the row's organization (see the module docstring)."""
        importer = not email
        if importer:
            slug = slugify(organization.name)[:60] if organization else ""
            email = f"import+{slug}@{IMPORT_DOMAIN}" if slug else f"import@{IMPORT_DOMAIN}"
        if email not in self.customers:
            self.customers[email] = customer_get_or_create(
                email=email,
                name=IMPORT_CUSTOMER_NAME if importer else "",
                organization_name=organization.name if organization else IMPORT_CUSTOMER_NAME,
            )
        return self.customers[email]

    def tier_for(self, escalated: bool | None) -> Tier | None:
        """Escalated history ends at tier 2 (when there is one); the rest stays at tier 1."""
        return self.tier2 if escalated and self.tier2 else self.tier1


# --- Building the rows to write ------------------------------------------------------------------

TICKET_FIELDS = [
    "subject",
    "body",
    "channel",
    "language",
    "status",
    "priority",
    "team",
    "category",
    "tier",
    "customer",
    "organization",
    "created_at",
    "last_customer_message_at",
    "resolved_at",
    "closed_at",
    "escalation_count",
    "metadata",
]


def fill_default_times(rows: list[ImportRow], now: dt.datetime) -> None:
    """Give every row the creation time it gets if the file has none and the ticket is new: now minus
    the rows still to come, in seconds, so file order becomes time order."""
    total = len(rows)
    for index, row in enumerate(rows):
        row.default_created_at = now - dt.timedelta(seconds=total - index)


def _ticket_fields(row: ImportRow, refs: References, existing: Ticket | None) -> dict[str, Any]:
    """Every column the import owns (TICKET_FIELDS), for creating and updating alike. An update
    without created_at keeps the ticket's time, so re-running a file does not reshuffle history.
    Resolved rows without resolved_at count as resolved when created (the duration is unknown)."""
    created_at = row.created_at or (existing.created_at if existing else row.default_created_at)
    team = refs.team(row.team)
    organization = refs.organization(row.organization, row.segment)
    customer = refs.customer(row.customer_email, organization)
    profile = getattr(customer, "customer", None)
    resolved_at = row.resolved_at or (created_at if row.status in RESOLVED_STATUSES else None)
    return {
        "subject": row.subject,
        "body": row.body,
        "channel": row.channel,
        "language": row.language or settings.LANGUAGE_CODE[:2],
        "status": row.status,
        "priority": row.priority or Priority.NORMAL,
        "team": team,
        "category": refs.category(team),
        "category_source": CategorySource.AGENT,  # history: the team that resolved it named it
        "tier": refs.tier_for(row.escalated),
        "customer": customer,
        "organization": organization or (profile.organization if profile else None),
        "created_at": created_at,
        "last_customer_message_at": created_at,
        "resolved_at": resolved_at,
        "closed_at": resolved_at if row.status == Status.CLOSED else None,
        "escalation_count": 1 if row.escalated else 0,
        "metadata": _metadata(row, existing),
    }


def _metadata(row: ImportRow, existing: Ticket | None) -> dict[str, Any]:
    """Extra columns under "import", and the flags that tell the trainer which labels are unknown.
    Keys other parts of the system wrote on an existing ticket (e.g. routing) are kept."""
    metadata = {
        key: value
        for key, value in (existing.metadata if existing else {}).items()
        if key not in ("import", "priority_known", "escalation_known", "customer_known", "language_known")
    }
    metadata["import"] = {**row.extra, "line": row.line}
    if row.body_truncated:
        metadata["import"]["body_truncated"] = True
    if row.priority is None:
        metadata["priority_known"] = False
    if row.escalated is None:
        metadata["escalation_known"] = False
    if row.language is None:
        metadata["language_known"] = False
    if not row.customer_email:  # the importer's stand-in customer: its "repeat contacts" mean nothing
        metadata["customer_known"] = False
    return metadata


def _history_events(ticket: Ticket, row: ImportRow, refs: References) -> list[TicketEvent]:
    """The events the real services would have written for what the row states, in the same shapes
    (ticket_create, ticket_escalate, ticket_resolve, csat_submit). Analytics count escalations from
    `escalation.*` events and escalation_count, so both are written."""
    events = [
        TicketEvent(
            ticket=ticket,
            code="ticket.created",
            actor=ticket.customer,
            details={"channel": ticket.channel, **SOURCE},
            to_team=ticket.team,
            created_at=ticket.created_at,
        )
    ]
    if row.escalated:
        events.append(
            TicketEvent(
                ticket=ticket,
                code="escalation.hierarchical",
                reason=ESCALATION_REASON,
                details={**SOURCE, "time_known": False},
                from_team=ticket.team,
                to_team=ticket.team,
                from_tier=refs.tier1,
                to_tier=ticket.tier,
                created_at=_escalated_at(ticket),
            )
        )
    if ticket.resolved_at:
        events.append(
            TicketEvent(
                ticket=ticket,
                code="ticket.resolved",
                details=dict(SOURCE),
                to_value=Status.RESOLVED,
                created_at=ticket.resolved_at,
            )
        )
    if row.csat is not None:
        events.append(
            TicketEvent(
                ticket=ticket,
                code="csat.rated",
                actor=ticket.customer,
                details=dict(SOURCE),
                to_value=str(row.csat),
                created_at=ticket.resolved_at,
            )
        )
    return events


def _escalated_at(ticket: Ticket) -> dt.datetime:
    """The file does not say when: halfway to resolution is the least misleading guess."""
    if ticket.resolved_at is None:
        return ticket.created_at
    return ticket.created_at + (ticket.resolved_at - ticket.created_at) / 2


def _event_kind(code: str) -> str:
    """Any escalation counts as the ticket's escalation when deciding what an update still lacks."""
    return "escalation" if code.startswith("escalation.") else code


# --- Writing -------------------------------------------------------------------------------------


def _write_tickets(
    rows: list[ImportRow], refs: References
) -> tuple[list[tuple[ImportRow, Ticket]], set[int]]:
    """Insert new tickets and update known ones in one upsert on external_id (bulk_update would build
    a CASE per column and row: 15x slower). Returns (row, ticket) pairs and the new tickets' ids."""
    known = Ticket.objects.only("id", "external_id", "created_at", "metadata").in_bulk(
        [row.external_id for row in rows if row.external_id], field_name="external_id"
    )
    tickets = [
        Ticket(external_id=row.external_id, **_ticket_fields(row, refs, known.get(row.external_id)))
        for row in rows
    ]
    Ticket.objects.bulk_create(
        tickets, update_conflicts=True, unique_fields=["external_id"], update_fields=TICKET_FIELDS
    )
    new_ids = {ticket.pk for ticket in tickets if ticket.external_id not in known}
    return list(zip(rows, tickets, strict=True)), new_ids


def _assign(instance: Any, values: dict[str, Any]) -> bool:
    """Set the values; True when any of them differed, so a re-run rewrites only what changed."""
    changed = [name for name, value in values.items() if getattr(instance, name) != value]
    for name in changed:
        setattr(instance, name, values[name])
    return bool(changed)


def _save(model: type, instances: list, fields: list[str]) -> None:
    """Insert the new instances, update the changed old ones (split first: inserting sets the pk)."""
    old = [instance for instance in instances if instance.pk]
    model.objects.bulk_create([instance for instance in instances if instance.pk is None])
    model.objects.bulk_update(old, fields)


def _write_first_messages(pairs: list[tuple[ImportRow, Ticket]], new_ids: set[int]) -> None:
    """Each ticket's conversation starts with the customer's body, as ticket_create writes it; an
    update rewrites that first message rather than adding one."""
    first: dict[int, Message] = {}
    latest_first = Message.objects.filter(
        ticket_id__in=[t.pk for _, t in pairs if t.pk not in new_ids], author_kind=AuthorKind.CUSTOMER
    ).order_by("-created_at", "-id")
    for message in latest_first:
        first[message.ticket_id] = message  # the earliest one is written last
    fields = ["author_id", "channel", "body", "created_at"]
    to_save = []
    for _, ticket in pairs:
        message = first.get(ticket.pk) or Message(ticket=ticket, author_kind=AuthorKind.CUSTOMER)
        values = dict(
            zip(fields, (ticket.customer_id, ticket.channel, ticket.body, ticket.created_at), strict=True)
        )
        if _assign(message, values) or message.pk is None:
            to_save.append(message)
    _save(Message, to_save, fields)


def _write_events(pairs: list[tuple[ImportRow, Ticket]], new_ids: set[int], refs: References) -> None:
    """History events, written directly (never event_record: no live events, no routing). The log is
    append-only, so an update only adds the kinds of event its ticket does not have yet."""
    seen = {
        (ticket_id, _event_kind(code))
        for ticket_id, code in TicketEvent.objects.filter(
            ticket_id__in=[t.pk for _, t in pairs if t.pk not in new_ids]
        ).values_list("ticket_id", "code")
    }
    TicketEvent.objects.bulk_create(
        event
        for row, ticket in pairs
        for event in _history_events(ticket, row, refs)
        if (ticket.pk, _event_kind(event.code)) not in seen
    )


def _write_ratings(pairs: list[tuple[ImportRow, Ticket]]) -> None:
    """A CSAT row for each rated row; an update changes the existing rating's score."""
    rated = [(row, ticket) for row, ticket in pairs if row.csat is not None]
    existing = {c.ticket_id: c for c in Csat.objects.filter(ticket_id__in=[t.pk for _, t in rated])}
    to_save = []
    for row, ticket in rated:
        rating = existing.get(ticket.pk) or Csat(ticket=ticket)
        if _assign(rating, {"score": row.csat, "created_at": ticket.resolved_at}) or rating.pk is None:
            to_save.append(rating)
    _save(Csat, to_save, ["score", "created_at"])


def write_batch(rows: list[ImportRow], refs: References) -> tuple[int, int]:
    """One transaction per batch: a failure loses at most this batch. Returns (created, updated)."""
    with transaction.atomic():
        pairs, new_ids = _write_tickets(rows, refs)
        _write_first_messages(pairs, new_ids)
        _write_events(pairs, new_ids, refs)
        _write_ratings(pairs)
        # bulk writes stamp updated_at with the import time; history should look its age.
        Ticket.objects.filter(pk__in=[t.pk for _, t in pairs]).update(
            updated_at=Coalesce("closed_at", "resolved_at", "created_at")
        )
    return len(new_ids), len(pairs) - len(new_ids)


def import_tickets(
    path: str | Path, *, batch_size: int = BATCH_SIZE, now: dt.datetime | None = None
) -> ImportResult:
    """Import the CSV at `path`. Raises ImportFileError (before writing anything) when the file as a
    whole is unusable; bad rows are collected in the result and skipped."""
    rows, bad_rows = parse_file(path)
    fill_default_times(rows, now or timezone.now())
    result = ImportResult(bad_rows=bad_rows)
    refs = References() if rows else None
    for start in range(0, len(rows), batch_size):
        created, updated = write_batch(rows[start : start + batch_size], refs)
        result.created += created
        result.updated += updated
    return result
