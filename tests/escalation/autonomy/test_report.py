"""The model card's autonomy section: per-category thresholds, their history, and counts per mode."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.urls import reverse

from escalation.autonomy.learning import settle
from escalation.autonomy.report import autonomy_report
from escalation.models.autonomy import AutomationRecord, CategoryAutonomy, Outcome
from helpdesk.models import Autonomy
from tests.factories import CategoryFactory, TicketFactory, UserFactory


def test_the_report_shows_thresholds_history_modes_and_outcomes(db):
    reset = CategoryFactory(name="Password reset", is_automatable=True)
    billing = CategoryFactory(name="Billing dispute")
    for mode in (Autonomy.AUTONOMOUS, Autonomy.AUTONOMOUS, Autonomy.REVIEW):
        ticket = TicketFactory(category=reset, autonomy=mode)
        record = AutomationRecord.objects.create(ticket=ticket, mode=mode, category=reset)
    settle(record, Outcome.REJECTED)
    TicketFactory(category=billing, autonomy=Autonomy.HUMAN)

    report = autonomy_report()

    rows = {row.category: row for row in report.rows}
    reset_row = rows["Password reset"]
    assert (reset_row.base, reset_row.effective, reset_row.review) == (0.85, 0.88, 0.6)
    assert reset_row.mode_counts == [("Autonomous", 2), ("Review", 1), ("Human", 0)]
    assert reset_row.outcomes == {"pending": 2, "rejected": 1} and reset_row.failures == 1
    assert reset_row.changes[0].evidence["ticket_ids"] == [record.ticket_id]
    assert rows["Billing dispute"].mode_counts[2] == ("Human", 1)
    assert report.totals == {"Autonomous": 2, "Review": 1, "Human": 1}

    html = render_to_string("escalation/_autonomy_report.html", {"autonomy_report": report})
    assert "Password reset" in html and "85% → <strong>88%</strong>" in html and "Draft discarded: 1" in html


def test_the_admin_lists_effective_thresholds_and_history(client, db):
    category = CategoryFactory(name="How-to question", is_automatable=True)
    CategoryAutonomy.objects.create(category=category, adjustment=0.05)
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))

    listing = client.get(reverse("admin:escalation_categoryautonomy_changelist"))
    assert listing.status_code == 200 and b"90%" in listing.content
    setting = CategoryAutonomy.objects.get()
    assert (
        client.get(reverse("admin:escalation_categoryautonomy_change", args=[setting.pk])).status_code == 200
    )
    assert client.get(reverse("admin:escalation_categoryautonomy_add")).status_code == 200
    assert client.get(reverse("admin:escalation_autonomydefaults_change", args=[1])).status_code == 200
    assert client.get(reverse("admin:escalation_automationrecord_changelist")).status_code == 200
