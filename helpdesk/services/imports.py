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

import csv
import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.text import slugify

from helpdesk.models import (
    CategorySource,
    AuthorKind,
    Category,
    Channel,
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

BATCH_SIZE = 1000
KNOWN_COLUMNS = (
    "external_id",
    "subject",
    "body",
    "team",
    "priority",
    "created_at",
    "customer_email",
    "organization",
    "segment",
    "status",
    "resolved_at",
    "csat",
    "escalated",
    "language",
    "channel",
)
PRIORITIES = {
    "low": Priority.LOW,
    "normal": Priority.NORMAL,
    "medium": Priority.NORMAL,
    "high": Priority.HIGH,
    "urgent": Priority.URGENT,
    "critical": Priority.URGENT,
}
BOOLEANS = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}
RESOLVED_STATUSES = (Status.RESOLVED, Status.CLOSED)
DEFAULT_STATUS = Status.RESOLVED  # history: the trainer learns from resolved and closed tickets
DEFAULT_CHANNEL = Channel.EMAIL
SUBJECT_WORDS = 12
IMPORT_DOMAIN = "import.invalid"  # reserved TLD: importer customers can never receive mail
IMPORT_CUSTOMER_NAME = "Imported history"
ESCALATION_REASON = "Escalated before the import (historical ticket)."
SOURCE = {"source": "import"}


class ImportFileError(Exception):
    """The file as a whole cannot be imported (missing, no header, required columns missing)."""


class RowError(ValueError):
    """One row is bad; the message says why, for the `line N: message` report."""


@dataclass(frozen=True)
class BadRow:
    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass
class ImportRow:
    """One valid CSV row, parsed. `None` means the file did not say (defaults are applied later)."""

    line: int
    external_id: str | None
    subject: str
    body: str
    team: str
    priority: str | None
    created_at: dt.datetime | None
    customer_email: str
    organization: str
    segment: str | None
    status: str
    resolved_at: dt.datetime | None
    csat: int | None
    escalated: bool | None
    language: str
    channel: str
    extra: dict[str, str] = field(default_factory=dict)
    body_truncated: bool = False
    default_created_at: dt.datetime | None = None  # used when created_at is None and the ticket is new


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    bad_rows: list[BadRow] = field(default_factory=list)

    @property
    def imported(self) -> int:
        return self.created + self.updated

    @property
    def skipped(self) -> int:
        return len(self.bad_rows)

    def summary(self) -> str:
        return (
            f"Imported {self.imported} tickets ({self.created} new, {self.updated} updated), "
            f"skipped {self.skipped} bad rows."
        )


# --- Reading -------------------------------------------------------------------------------------


def read_csv(path: str | Path) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (line number where the record starts, {lower-cased column: stripped value}).

    csv.reader rather than DictReader: a quoted body may span several lines, and the report must name
    the line where the record starts. Checks the header before the first row, so a bad file fails
    before anything is written. utf-8-sig tolerates the BOM spreadsheet programs write.
    """
    try:
        handle = open(path, encoding="utf-8-sig", newline="")  # noqa: SIM115 - closed by the with below
    except OSError as error:
        raise ImportFileError(f"Cannot read {path}: {error.strerror or error}.") from error
    with handle:
        reader = csv.reader(handle)
        try:
            header = [name.strip().lower() for name in next(reader, [])]
            _check_header(header)
            line = reader.line_num
            for values in reader:
                start, line = line + 1, reader.line_num
                if any(value.strip() for value in values):
                    yield start, {name: value.strip() for name, value in zip(header, values, strict=False)}
        except (csv.Error, UnicodeDecodeError) as error:
            raise ImportFileError(f"{path} is not a readable UTF-8 CSV file: {error}.") from error


def _check_header(header: list[str]) -> None:
    if not any(header):
        raise ImportFileError("The file has no header row (expected columns such as subject, body, team).")
    missing = [name for name in ("team",) if name not in header]
    if "subject" not in header and "body" not in header:
        missing.append("subject or body")
    if missing:
        raise ImportFileError(f"Required columns missing from the header: {', '.join(missing)}.")


# --- Validating one row --------------------------------------------------------------------------


def parse_row(line: int, raw: dict[str, str]) -> ImportRow:
    """Validate one row into an ImportRow; raises RowError with the first problem found."""
    subject, body = _collapse(raw.get("subject", "")), raw.get("body", "")
    if not subject and not body:
        raise RowError("subject and body are both empty; one of them is required")
    subject = _text(subject or _subject_from(body), settings.TICKET_SUBJECT_MAX)[0]
    body, body_truncated = _text(body or subject, settings.TICKET_BODY_MAX)
    team = _limited(raw.get("team", ""), "team", Team._meta.get_field("name").max_length, required=True)
    status = _choice(raw.get("status", ""), "status", Status.values, default=DEFAULT_STATUS)
    created_at = _moment(raw.get("created_at", ""), "created_at")
    resolved_at = _moment(raw.get("resolved_at", ""), "resolved_at")
    if resolved_at and status not in RESOLVED_STATUSES:
        raise RowError(
            f"resolved_at is given but status is {status!r}; only resolved or closed tickets have it"
        )
    if resolved_at and created_at and resolved_at < created_at:
        raise RowError("resolved_at is before created_at")
    csat = _csat(raw.get("csat", ""))
    if csat is not None and status not in RESOLVED_STATUSES:
        raise RowError(f"csat is given but status is {status!r}; only resolved or closed tickets are rated")
    return ImportRow(
        line=line,
        external_id=_limited(raw.get("external_id", ""), "external_id", 100) or None,
        subject=subject,
        body=body,
        body_truncated=body_truncated,
        team=team,
        priority=_priority(raw.get("priority", "")),
        created_at=created_at,
        customer_email=_email(raw.get("customer_email", "")),
        organization=_limited(raw.get("organization", ""), "organization", 200),
        segment=_choice(raw.get("segment", ""), "segment", Segment.values, default=None),
        status=status,
        resolved_at=resolved_at,
        csat=csat,
        escalated=_boolean(raw.get("escalated", ""), "escalated"),
        language=_limited(raw.get("language", ""), "language", 8).lower() or "en",
        channel=_choice(raw.get("channel", ""), "channel", Channel.values, default=DEFAULT_CHANNEL),
        extra={name: value for name, value in raw.items() if name not in KNOWN_COLUMNS and name and value},
    )


def _collapse(text: str) -> str:
    return " ".join(text.split())


def _text(text: str, limit: int) -> tuple[str, bool]:
    """Cut text to the model's limit: history is kept, not rejected, for being long."""
    return (text[:limit].rstrip(), True) if len(text) > limit else (text, False)


def _subject_from(body: str) -> str:
    """A subject-less ticket gets its body's first words, as an agent would skim them."""
    words = body.split()
    return " ".join(words[:SUBJECT_WORDS]) + (" …" if len(words) > SUBJECT_WORDS else "")


def _limited(value: str, column: str, limit: int, *, required: bool = False) -> str:
    if required and not value:
        raise RowError(f"{column} is empty")
    if len(value) > limit:
        raise RowError(f"{column} is longer than {limit} characters")
    return value


def _choice(value: str, column: str, allowed: list[str], *, default: str | None) -> str | None:
    """Case-insensitive choice; 'On hold' and 'on-hold' read as on_hold."""
    if not value:
        return default
    normalized = re.sub(r"[\s-]+", "_", value.lower())
    if normalized not in allowed:
        raise RowError(f"{column} {value!r} is not one of: {', '.join(allowed)}")
    return normalized


def _priority(value: str) -> str | None:
    if not value:
        return None
    try:
        return PRIORITIES[value.lower()]
    except KeyError:
        raise RowError(
            f"priority {value!r} is not one of: low, normal (medium), high, urgent (critical)"
        ) from None


def _moment(value: str, column: str) -> dt.datetime | None:
    """ISO 8601 date or date-time; without an offset it is UTC."""
    if not value:
        return None
    try:
        moment = parse_datetime(value)
        if moment is None and (day := parse_date(value)) is not None:
            moment = dt.datetime.combine(day, dt.time.min)
    except ValueError:
        moment = None
    if moment is None:
        raise RowError(f"{column} {value!r} is not an ISO 8601 date or date-time (e.g. 2024-05-31T14:00:00Z)")
    return moment if timezone.is_aware(moment) else moment.replace(tzinfo=dt.UTC)


def _csat(value: str) -> int | None:
    if not value:
        return None
    if not value.isdigit() or not 1 <= int(value) <= 5:
        raise RowError(f"csat {value!r} is not a whole number from 1 to 5")
    return int(value)


def _boolean(value: str, column: str) -> bool | None:
    if not value:
        return None
    try:
        return BOOLEANS[value.lower()]
    except KeyError:
        raise RowError(f"{column} {value!r} is not one of: true, false, yes, no, 1, 0") from None


def _email(value: str) -> str:
    if not value:
        return ""
    try:
        validate_email(value)
    except ValidationError:
        raise RowError(f"customer_email {value!r} is not a valid e-mail address") from None
    return value.lower()


def parse_file(path: str | Path) -> tuple[list[ImportRow], list[BadRow]]:
    """All valid rows in file order, and the bad ones. A repeated external_id is a bad row: which of
    the two is the truth cannot be told."""
    rows, bad, first_line = [], [], {}
    for line, raw in read_csv(path):
        try:
            row = parse_row(line, raw)
            if row.external_id in first_line:
                raise RowError(f"external_id {row.external_id!r} repeats line {first_line[row.external_id]}")
        except RowError as error:
            bad.append(BadRow(line, str(error)))
            continue
        if row.external_id:
            first_line[row.external_id] = line
        rows.append(row)
    return rows, bad


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
        "language": row.language,
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
        if key not in ("import", "priority_known", "escalation_known", "customer_known")
    }
    metadata["import"] = {**row.extra, "line": row.line}
    if row.body_truncated:
        metadata["import"]["body_truncated"] = True
    if row.priority is None:
        metadata["priority_known"] = False
    if row.escalated is None:
        metadata["escalation_known"] = False
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
