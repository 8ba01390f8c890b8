"""`import_tickets PATH.csv`: historical tickets from CSV, idempotent on external_id (docs/CONTRACT.md)."""

from __future__ import annotations

import datetime as dt
import io
import time
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from analytics.filters import ESCALATED
from helpdesk.models import (
    AuthorKind,
    Category,
    Csat,
    LiveEvent,
    Message,
    Organization,
    Priority,
    Status,
    Team,
    Ticket,
    TicketEvent,
)

pytestmark = pytest.mark.django_db

TRAIN_CSV = Path("/work/shared/data/it-tickets/train.csv")
ALL_COLUMNS = (
    "external_id,subject,body,team,priority,created_at,customer_email,organization,segment,status,"
    "resolved_at,csat,escalated,language,source_queue\n"
)


def write_csv(tmp_path: Path, text: str, name: str = "tickets.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def run_import(path: Path) -> tuple[str, str]:
    """Run the command as an operator would; returns (stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    call_command("import_tickets", str(path), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_happy_path_with_all_columns(tmp_path, tier1, tier2, billing):
    path = write_csv(
        tmp_path,
        ALL_COLUMNS
        + "T-1,Refund please,I was charged twice.,billing,High,2024-03-01T10:00:00Z,Dana@Example.com,"
        "Acme,premium,closed,2024-03-02T10:00:00Z,4,yes,de,legacy\n"
        + "T-2,Login broken,Cannot sign in.,Technical,urgent,2024-03-03,,Acme,,resolved,,,no,,\n",
    )

    out, err = run_import(path)

    assert "Imported 2 tickets (2 new, 0 updated), skipped 0 bad rows." in out
    assert err == ""
    first = Ticket.objects.get(external_id="T-1")
    assert (first.subject, first.body, first.priority, first.status) == (
        "Refund please",
        "I was charged twice.",
        Priority.HIGH,
        Status.CLOSED,
    )
    assert first.team == billing  # matched case-insensitively, not duplicated
    assert first.category.name == "Billing" and first.category.team == billing
    assert first.created_at == dt.datetime(2024, 3, 1, 10, tzinfo=dt.UTC)
    assert first.resolved_at == first.closed_at == dt.datetime(2024, 3, 2, 10, tzinfo=dt.UTC)
    assert first.updated_at == first.closed_at
    assert first.customer.email == "dana@example.com"
    assert first.customer.customer.organization == first.organization
    assert first.organization.name == "Acme" and first.organization.segment == "premium"
    assert first.language == "de"
    assert first.escalation_count == 1 and first.tier == tier2
    assert first.metadata["import"]["source_queue"] == "legacy"
    assert "priority_known" not in first.metadata and "escalation_known" not in first.metadata
    assert Csat.objects.get(ticket=first).score == 4
    message = Message.objects.get(ticket=first)
    assert (message.body, message.author, message.author_kind) == (
        "I was charged twice.",
        first.customer,
        AuthorKind.CUSTOMER,
    )
    codes = list(first.events.values_list("code", flat=True))
    assert codes == ["ticket.created", "escalation.hierarchical", "ticket.resolved", "csat.rated"]
    escalation = first.events.get(code="escalation.hierarchical")
    assert (escalation.from_tier, escalation.to_tier, escalation.to_team) == (tier1, tier2, billing)

    second = Ticket.objects.get(external_id="T-2")
    assert second.team.name == "Technical" and second.tier == tier1 and second.escalation_count == 0
    assert second.created_at == dt.datetime(2024, 3, 3, tzinfo=dt.UTC)
    assert second.resolved_at == second.created_at  # resolved without a time: when created
    assert second.organization.name == "Acme"
    assert second.customer.email == "import+acme@import.invalid"  # the organization's importer customer
    assert list(Ticket.objects.filter(ESCALATED)) == [first]
    # History is not live: nothing is published and nothing is routed.
    assert not LiveEvent.objects.exists()
    assert "routing" not in first.metadata and first.assignee is None


def test_only_required_columns(tmp_path):
    path = write_csv(
        tmp_path,
        "Team,Body\nAccess,please reset my password for the vpn account today\nAccess,second ticket\n",
    )

    out, _ = run_import(path)

    assert "Imported 2 tickets (2 new, 0 updated)" in out
    first, second = Ticket.objects.order_by("created_at")
    assert first.subject == "please reset my password for the vpn account today"
    assert first.body == first.subject
    assert first.status == Status.RESOLVED and first.priority == Priority.NORMAL
    assert first.metadata["priority_known"] is False and first.metadata["escalation_known"] is False
    assert first.external_id is None and first.customer.email == "import@import.invalid"
    assert second.customer == first.customer  # one "Imported history" customer for all of them
    assert first.created_at < second.created_at  # file order is time order
    assert first.pk < second.pk


def test_subject_is_derived_from_the_body_and_long_text_truncated(tmp_path, settings):
    settings.TICKET_BODY_MAX = 50
    words = " ".join(f"word{n}" for n in range(30))
    path = write_csv(tmp_path, f"team,subject,body\nAccess,,{words}\n")

    run_import(path)

    ticket = Ticket.objects.get()
    assert ticket.subject == " ".join(f"word{n}" for n in range(12)) + " …"
    assert len(ticket.body) <= 50 and ticket.metadata["import"]["body_truncated"] is True


def test_bad_rows_are_reported_with_line_numbers_and_skipped(tmp_path):
    path = write_csv(
        tmp_path,
        ALL_COLUMNS
        + "B-1,ok,fine,Access,low,,,,,,,,,,\n"  # line 2: good
        + "B-2,no team,body,,,,,,,,,,,,\n"  # line 3
        + "B-3,,,Access,,,,,,,,,,,\n"  # line 4
        + "B-4,s,b,Access,sometimes,,,,,,,,,,\n"  # line 5
        + 'B-5,"multi\nline",b,Access,,yesterday,,,,,,,,,\n'  # lines 6-7
        + "B-6,s,b,Access,,,,,,,,7,,,\n"  # line 8
        + "B-7,s,b,Access,,,,,,,,,,,\n"  # line 9: good
        + "B-8,s,b,Access,,,,,,archived,,,,,\n"  # line 10
        + "B-9,s,b,Access,,,,,,,,,maybe,,\n"  # line 11
        + "B-10,s,b,Access,,,not-an-email,,,,,,,,\n"  # line 12
        + "B-11,s,b,Access,,,,Acme,gold,,,,,,\n"  # line 13
        + "B-1,s,b,Access,,,,,,,,,,,\n",  # line 14: repeats line 2
    )

    out, err = run_import(path)

    assert "Imported 2 tickets (2 new, 0 updated), skipped 10 bad rows." in out
    lines = err.splitlines()
    assert [line.split(":")[0] for line in lines] == [
        f"line {n}" for n in (3, 4, 5, 6, 8, 10, 11, 12, 13, 14)
    ]
    assert "team is empty" in lines[0]
    assert "subject and body are both empty" in lines[1]
    assert "priority 'sometimes'" in lines[2]
    assert "created_at 'yesterday'" in lines[3]
    assert "csat '7'" in lines[4]
    assert "status 'archived'" in lines[5]
    assert "escalated 'maybe'" in lines[6]
    assert "customer_email 'not-an-email'" in lines[7]
    assert "segment 'gold'" in lines[8]
    assert "repeats line 2" in lines[9]
    assert set(Ticket.objects.values_list("external_id", flat=True)) == {"B-1", "B-7"}


def test_rerun_updates_instead_of_duplicating(tmp_path, tier1, tier2):
    first_run = write_csv(
        tmp_path,
        "external_id,subject,body,team,priority,escalated,csat\n"
        "R-1,Old subject,Old body,Access,low,no,2\n"
        ",No id,always new,Access,,,\n",
        "first.csv",
    )
    run_import(first_run)
    ticket = Ticket.objects.get(external_id="R-1")
    created_at = ticket.created_at

    second_run = write_csv(
        tmp_path,
        "external_id,subject,body,team,priority,escalated,csat\n"
        "R-1,New subject,New body,Hardware,critical,yes,5\n"
        ",No id,always new,Access,,,\n",
        "second.csv",
    )
    out, _ = run_import(second_run)

    assert "Imported 2 tickets (1 new, 1 updated), skipped 0 bad rows." in out
    assert Ticket.objects.filter(external_id="R-1").count() == 1
    assert Ticket.objects.filter(external_id__isnull=True).count() == 2
    ticket.refresh_from_db()
    assert (ticket.subject, ticket.body, ticket.team.name, ticket.priority) == (
        "New subject",
        "New body",
        "Hardware",
        Priority.URGENT,
    )
    assert ticket.category.name == "Hardware"
    assert ticket.created_at == created_at  # no created_at in the file: the ticket keeps its time
    assert ticket.escalation_count == 1 and ticket.tier == tier2
    assert list(ticket.messages.values_list("body", flat=True)) == ["New body"]
    assert Csat.objects.get(ticket=ticket).score == 5
    codes = sorted(ticket.events.values_list("code", flat=True))
    assert codes == ["csat.rated", "escalation.hierarchical", "ticket.created", "ticket.resolved"]

    out, _ = run_import(second_run)  # the same file again changes nothing but the count
    assert "(1 new, 1 updated)" in out
    assert ticket.events.count() == 4 and ticket.messages.count() == 1


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("low", Priority.LOW),
        ("Medium", Priority.NORMAL),
        ("NORMAL", Priority.NORMAL),
        ("high", Priority.HIGH),
        ("Critical", Priority.URGENT),
        ("urgent", Priority.URGENT),
    ],
)
def test_priority_synonyms_are_case_insensitive(tmp_path, given, stored):
    run_import(write_csv(tmp_path, f"team,subject,priority\nAccess,Help,{given}\n"))

    assert Ticket.objects.get().priority == stored


def test_unknown_team_is_created_with_its_category(tmp_path, billing):
    run_import(write_csv(tmp_path, "team,subject\nInternal Project,Kick-off room\nBILLING,Invoice\n"))

    assert set(Team.objects.values_list("name", flat=True)) == {"Billing", "Internal Project"}
    category = Category.objects.get(name="Internal Project")
    assert category.team.name == "Internal Project"
    assert Ticket.objects.get(subject="Kick-off room").category == category
    assert Ticket.objects.get(subject="Invoice").team == billing


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("subject,body\nHello,there\n", "Required columns missing from the header: team"),
        ("team,priority\nAccess,low\n", "Required columns missing from the header: subject or body"),
        ("", "no header row"),
    ],
)
def test_unusable_file_fails_and_writes_nothing(tmp_path, text, message):
    with pytest.raises(CommandError, match=message):
        run_import(write_csv(tmp_path, text))

    assert not Ticket.objects.exists() and not Team.objects.exists() and not Organization.objects.exists()


def test_missing_file_fails(tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        run_import(tmp_path / "nowhere.csv")


def test_byte_order_mark_and_spaced_header_are_tolerated(tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes("\ufeff Team , Subject \nAccess,With BOM\n".encode())

    run_import(path)

    assert Ticket.objects.get().subject == "With BOM"


def test_the_real_it_tickets_import_quickly(db):
    """The 3,043 real tickets in 8 teams: a few seconds, one query batch per 1,000 rows."""
    started = time.perf_counter()
    out, err = run_import(TRAIN_CSV)
    seconds = time.perf_counter() - started

    assert "Imported 3043 tickets (3043 new, 0 updated), skipped 0 bad rows." in out, err
    assert Ticket.objects.count() == 3043
    assert Team.objects.count() == 8 and Category.objects.count() == 8
    assert Message.objects.count() == 3043
    assert TicketEvent.objects.filter(code="ticket.created").count() == 3043
    ticket = Ticket.objects.get(external_id="endava-00002")
    assert ticket.team.name == "Access" and ticket.status == Status.RESOLVED
    assert set(ticket.metadata["import"]) >= {
        "urgency_code",
        "impact_code",
        "ticket_type_code",
        "category_code",
    }
    assert seconds < 30


def test_a_file_that_does_not_say_the_language_leaves_it_to_the_trainer(tmp_path, tier1):
    path = write_csv(
        tmp_path,
        "subject,body,team,language\n"
        "Refund please,I was charged twice.,Billing,\n"
        "Rechnung,Ich wurde zweimal belastet.,Billing,de\n",
    )

    run_import(path)

    unsaid, said = Ticket.objects.order_by("pk")
    assert unsaid.language == "en" and unsaid.metadata["language_known"] is False  # a stand-in
    assert said.language == "de" and "language_known" not in said.metadata
