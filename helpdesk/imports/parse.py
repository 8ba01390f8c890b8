"""Reading a historical-tickets CSV: each row checked and turned into an `ImportRow`, or a `BadRow`
saying why it was skipped. Nothing here touches the database (`helpdesk.imports.write` stores rows)."""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from helpdesk.models import (
    Channel,
    Priority,
    Segment,
    Status,
    Team,
)

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
    language: str | None  # None: the file does not say (the trainer detects it from the text)
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
        language=_limited(raw.get("language", ""), "language", 8).lower() or None,
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
