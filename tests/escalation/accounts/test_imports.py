"""Feeding account facts and usage from CSV exports: good rows in, bad rows reported by line."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from escalation.models.accounts import AccountOutcome, UsageRecord
from helpdesk.models import Organization
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


def run(command: str, tmp_path, text: str) -> tuple[str, str]:
    path = tmp_path / "export.csv"
    path.write_text(text, encoding="utf-8")
    out, err = StringIO(), StringIO()
    call_command(command, str(path), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_import_accounts_from_a_crm_export(tmp_path, lead):
    OrganizationFactory(name="Acme Old Name", crm_id="001A")
    out, err = run(
        "import_accounts",
        tmp_path,
        "name,crm_id,segment,contract_value,renewal_date,account_manager,outcome,outcome_date,outcome_amount\n"
        "Acme,001A,enterprise,120000,2027-03-01,lena,renewed,2026-03-01,110000\n"
        "Beta,002B,premium,30000,,,,,\n"
        "Gamma,003C,galactic,10,,,,,\n"
        "Delta,004D,standard,10,,ghost,,,\n",
    )
    assert "1 created, 1 updated, 2 bad row(s) skipped" in out
    assert "line 4: segment" in err and "line 5: account_manager" in err
    acme = Organization.objects.get(crm_id="001A")
    assert acme.name == "Acme" and acme.segment == "enterprise" and acme.account_manager == lead.user
    assert acme.renewal_date == dt.date(2027, 3, 1)
    assert AccountOutcome.objects.get(organization=acme).kind == "renewed"
    assert Organization.objects.get(name="Beta").annual_contract_value == 30000
    assert not Organization.objects.filter(name__in=["Gamma", "Delta"]).exists()


def test_import_usage_is_idempotent_and_reports_bad_lines(tmp_path):
    acme = OrganizationFactory(name="Acme", crm_id="001A")
    text = (
        "crm_id,organization,date,measure,value\n"
        "001A,,2026-10-01,data_volume,100\n"
        ",Acme,2026-10-31,data_volume,400\n"
        "001A,,2026-10-31,logins,-3\n"
        ",Nobody,2026-10-31,logins,3\n"
    )
    out, err = run("import_usage", tmp_path, text)
    assert "2 created, 0 updated, 2 bad row(s) skipped" in out
    assert "line 4: value" in err and "line 5: organization" in err
    out, _ = run("import_usage", tmp_path, text)
    assert "0 created, 2 updated" in out
    assert UsageRecord.objects.filter(organization=acme).count() == 2
    acme.refresh_from_db()
    assert acme.usage_change("data_volume", 30) == pytest.approx(3.0)


def test_a_file_without_the_needed_columns_is_refused(tmp_path):
    with pytest.raises(CommandError, match="header lacks"):
        run("import_usage", tmp_path, "organization,when\nAcme,today\n")
