"""CSV imports of account facts and usage, e.g. from a CRM or product-analytics export.

Accounts (one row per organization; matched on crm_id when given, else on name; created when missing):
  name, crm_id, segment, contract_value, renewal_date, account_manager, churn_risk, outcome, outcome_date,
  outcome_amount — every column but name is optional and an empty cell leaves the value alone.
Usage (one row per organization, day and measure; the same again replaces the value):
  organization (name) or crm_id, date, measure, value.
Bad rows are reported with their line number and skipped; the good ones are imported.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from rest_framework import serializers

from escalation.accounts.services import (
    account_manager_check,
    organization_update,
    outcome_record,
    usage_record,
)
from escalation.models.accounts import OutcomeKind, UsageMeasure
from helpdesk.models import Organization, Segment

MAX_ROWS = 1_000_000


class ImportFileError(Exception):
    """The file cannot be read as the expected CSV at all."""


@dataclass(frozen=True)
class BadRow:
    line: int
    errors: dict

    def __str__(self) -> str:
        words = "; ".join(f"{k}: {' '.join(str(m) for m in v)}" for k, v in self.errors.items())
        return f"line {self.line}: {words}"


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    bad_rows: list[BadRow] = field(default_factory=list)

    def summary(self) -> str:
        return f"{self.created} created, {self.updated} updated, {len(self.bad_rows)} bad row(s) skipped"


class AccountRow(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    crm_id = serializers.CharField(max_length=100, required=False, allow_blank=True)
    segment = serializers.ChoiceField(choices=Segment.choices, required=False)
    contract_value = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0, required=False)
    renewal_date = serializers.DateField(required=False)
    account_manager = serializers.CharField(max_length=150, required=False)
    churn_risk = serializers.FloatField(min_value=0, max_value=1, required=False)
    outcome = serializers.ChoiceField(choices=OutcomeKind.choices, required=False)
    outcome_date = serializers.DateField(required=False)
    outcome_amount = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0, required=False)

    def validate_account_manager(self, value):
        return account_manager_check(value)

    def validate(self, data):
        if ("outcome" in data) != ("outcome_date" in data):
            raise serializers.ValidationError({"outcome_date": ["Give an outcome and its date together."]})
        return data


class UsageRow(serializers.Serializer):
    organization = serializers.CharField(max_length=200, required=False)
    crm_id = serializers.CharField(max_length=100, required=False)
    date = serializers.DateField()
    measure = serializers.ChoiceField(choices=UsageMeasure.choices)
    value = serializers.FloatField(min_value=0, max_value=1e15)

    def validate(self, data):
        if not data.get("organization") and not data.get("crm_id"):
            raise serializers.ValidationError({"organization": ["Name the organization or give its crm_id."]})
        return data


def _rows(path: str, required: set[str]):
    """(line number, row without empty cells) for each data row."""
    try:
        handle = Path(path).open(newline="", encoding="utf-8-sig")  # noqa: SIM115 - closed by the with below
    except OSError as error:
        raise ImportFileError(f"Cannot open {path}: {error.strerror}.") from error
    with handle:
        reader = csv.DictReader(handle)
        header = set(reader.fieldnames or [])
        missing = required - header
        if missing:
            raise ImportFileError(
                f"The header lacks {', '.join(sorted(missing))}; it has {', '.join(sorted(header))}."
            )
        try:
            for number, row in enumerate(reader, start=2):
                if number > MAX_ROWS:
                    raise ImportFileError(f"More than {MAX_ROWS:,} rows; split the file.")
                yield number, {k: v.strip() for k, v in row.items() if k and isinstance(v, str) and v.strip()}
        except (UnicodeDecodeError, csv.Error) as error:
            raise ImportFileError(f"Not a UTF-8 CSV file: {error}.") from error


def _errors(exc: Exception) -> dict:
    if isinstance(exc, serializers.ValidationError):
        return exc.detail if isinstance(exc.detail, dict) else {"row": exc.detail}
    if isinstance(exc, ValidationError):
        return exc.message_dict if hasattr(exc, "error_dict") else {"row": exc.messages}
    raise exc


def import_accounts(path: str) -> ImportResult:
    """Organizations' facts (and outcomes) from a CRM export."""
    result = ImportResult()
    for line, row in _rows(path, {"name"}):
        data = AccountRow(data=row)
        if not data.is_valid():
            result.bad_rows.append(BadRow(line, dict(data.errors)))
            continue
        facts = dict(data.validated_data)
        outcome = {k: facts.pop(k) for k in ("outcome", "outcome_date", "outcome_amount") if k in facts}
        name = facts.pop("name")
        try:
            with transaction.atomic():
                found = (
                    Organization.objects.filter(crm_id=facts["crm_id"]).first()
                    if facts.get("crm_id")
                    else None
                )
                found = found or Organization.objects.filter(name=name).first()
                if found is None:
                    found = Organization.objects.create(name=name)
                    result.created += 1
                else:
                    result.updated += 1
                if found.name != name and not Organization.objects.filter(name=name).exists():
                    facts["name"] = name  # renamed in the CRM
                organization_update(organization=found, changes=facts)
                if outcome:
                    outcome_record(
                        organization=found,
                        kind=outcome["outcome"],
                        date=outcome["outcome_date"],
                        amount=outcome.get("outcome_amount"),
                    )
        except (ValidationError, serializers.ValidationError) as exc:
            result.bad_rows.append(BadRow(line, _errors(exc)))
    return result


def import_usage(path: str) -> ImportResult:
    """Dated usage measures; organizations are found by crm_id or name (rows of unknown ones are bad)."""
    result = ImportResult()
    by_org: dict[int, list[dict]] = defaultdict(list)
    organizations: dict[tuple[str, str], Organization | None] = {}
    for line, row in _rows(path, {"date", "measure", "value"}):
        data = UsageRow(data=row)
        if not data.is_valid():
            result.bad_rows.append(BadRow(line, dict(data.errors)))
            continue
        record = data.validated_data
        key = (record.get("crm_id", ""), record.get("organization", ""))
        if key not in organizations:
            found = Organization.objects.filter(crm_id=key[0]).first() if key[0] else None
            organizations[key] = found or (
                Organization.objects.filter(name=key[1]).first() if key[1] else None
            )
        organization = organizations[key]
        if organization is None:
            result.bad_rows.append(BadRow(line, {"organization": [f"No organization {key[1] or key[0]!r}."]}))
            continue
        by_org[organization.pk].append({k: record[k] for k in ("date", "measure", "value")})
    for organization_id, records in by_org.items():
        organization = Organization.objects.get(pk=organization_id)
        written = usage_record(organization=organization, records=records)
        result.created += written.created
        result.updated += written.updated
    return result
