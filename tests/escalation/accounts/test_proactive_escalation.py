"""An account that turns at risk is escalated to its account manager, once, with the reasons."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from escalation.accounts.services import account_health_refresh
from escalation.models import PriorityThreshold
from escalation.models.accounts import AccountHealth, AccountHealthSettings
from helpdesk.models import Notification, Ticket
from tests.factories import CustomerFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db

ANGRY = [
    "This is unacceptable, the reports are broken again and nobody answers. Terrible service!",
    "Still broken. I am furious, we are losing money every hour because of your product.",
    "Third time I write: exports fail, the dashboard is useless. Awful, we will cancel.",
    "Everything is slow since last week. Completely unacceptable, angry users everywhere.",
]


@pytest.fixture
def acme(lead):
    org = OrganizationFactory(name="Acme", annual_contract_value=120_000, churn_risk=0.1)
    org.account_manager = lead.user
    org.save()
    return org


@pytest.fixture
def acme_customer(acme):
    return CustomerFactory(
        user=UserFactory(username="pat@acme.test", email="pat@acme.test"), organization=acme
    ).user


def _usage_jump(api, acme):
    today = timezone.localdate()
    series = [
        {"date": (today - dt.timedelta(days=d)).isoformat(), "measure": "data_volume", "value": v}
        for d, v in ((60, 100), (30, 110), (0, 440))
    ]
    assert api.post(f"/api/organizations/{acme.pk}/usage/", series, format="json").status_code == 201


def _angry_escalated_tickets(api, acme_customer, technical):
    ids = []
    for n, body in enumerate(ANGRY):
        created = api.post(
            "/api/tickets/",
            {"subject": f"Reports broken ({n + 1})", "body": body, "customer_email": acme_customer.email},
            format="json",
        )
        assert created.status_code == 201, created.content
        ids.append(created.json()["id"])
    for ticket_id in ids:
        escalated = api.post(
            f"/api/tickets/{ticket_id}/escalate/",
            {"kind": "hierarchical", "reason": "Customer very unhappy"},
            format="json",
        )
        assert escalated.status_code in (200, 201), escalated.content
    return ids


def test_angry_escalated_tickets_and_a_usage_jump_turn_the_account_at_risk(
    api, staff_user, acme, acme_customer, technical, tier2, settings, django_capture_on_commit_callbacks
):
    settings.ACCOUNT_HEALTH_DEBOUNCE_SECONDS = 0
    api.force_authenticate(staff_user)
    with django_capture_on_commit_callbacks(execute=True):
        _usage_jump(api, acme)
        ids = _angry_escalated_tickets(api, acme_customer, technical)

    health = api.get(f"/api/organizations/{acme.pk}/health/").json()
    assert health["at_risk"] is True, health
    contributions = {f["name"]: f["contribution"] for f in health["factors"]}
    assert contributions["escalations"] < 0
    assert contributions["usage_trend"] < 0
    assert contributions["sentiment_trend"] < 0
    assert health["score"] < AccountHealthSettings.current().at_risk_below
    assert [o["name"] for o in api.get("/api/organizations/?at_risk=true").json()["results"]] == ["Acme"]

    # The account manager is told once, in the app and by e-mail, with the reasons and the open tickets.
    alerts = Notification.objects.filter(kind="account.at_risk")
    assert [n.recipient.username for n in alerts] == ["lena"]
    sent = [m for m in mail.outbox if "Account at risk: Acme" in m.subject]
    assert len(sent) == 1 and sent[0].to == [acme.account_manager.email]
    assert "Escalations" in sent[0].body and "data volume grew" in sent[0].body
    for ticket in Ticket.objects.filter(pk__in=ids):
        assert ticket.number in sent[0].body

    # The open tickets now carry the account's state in their priority.
    ticket = Ticket.objects.get(pk=ids[0])
    assert ticket.priority_score is not None
    from escalation.routing.scoring import score_ticket

    factor = next(f for f in score_ticket(ticket).factors if f.name == "account_at_risk")
    assert factor.contribution > 0 and "at risk" in factor.detail


def test_no_repeated_alert_while_nothing_changes(acme, acme_customer, lead):
    for n in range(6):
        Ticket.objects.create(
            subject=f"Broken {n}",
            body="Broken again",
            customer=acme_customer,
            organization=acme,
            sentiment=-0.9,
            escalation_count=2,
            sla_breached=True,
        )
    first = account_health_refresh(organization_id=acme.pk)
    again = account_health_refresh(organization_id=acme.pk)
    assert first.at_risk and first.alerted
    assert again.pk == first.pk  # nothing changed: the same record, refreshed in place
    assert Notification.objects.filter(kind="account.at_risk").count() == 1
    assert AccountHealth.objects.filter(organization=acme).count() == 1


def test_without_an_account_manager_team_leads_hear_about_it(acme, acme_customer, lead, billing):
    acme.account_manager = None
    acme.save()
    billing.lead = lead
    billing.save()
    for n in range(6):
        Ticket.objects.create(
            subject=f"Broken {n}",
            body="Broken again",
            customer=acme_customer,
            organization=acme,
            team=billing,
            sentiment=-0.9,
            escalation_count=2,
            sla_breached=True,
        )
    account_health_refresh(organization_id=acme.pk)
    assert [n.recipient for n in Notification.objects.filter(kind="account.at_risk")] == [lead.user]


def test_the_threshold_is_admin_editable(acme, acme_customer):
    Ticket.objects.create(
        subject="Meh", body="meh", customer=acme_customer, organization=acme, sentiment=-0.5
    )
    AccountHealthSettings.objects.create(pk=1, at_risk_below=99.5)
    record = account_health_refresh(organization_id=acme.pk)
    assert record.at_risk and record.threshold == 99.5
    AccountHealthSettings.objects.filter(pk=1).update(at_risk_below=10)
    record = account_health_refresh(organization_id=acme.pk)
    assert not record.at_risk
    acme.refresh_from_db()
    assert acme.at_risk is False


def test_ticket_changes_refresh_health_at_most_once_per_debounce_period(
    api, staff_user, acme, acme_customer, settings, django_capture_on_commit_callbacks
):
    from django_q.models import Schedule

    settings.ACCOUNT_HEALTH_DEBOUNCE_SECONDS = 300
    api.force_authenticate(staff_user)
    with django_capture_on_commit_callbacks(execute=True):
        ticket_id = api.post(
            "/api/tickets/",
            {"subject": "Exports", "body": "How do I export?", "customer_email": acme_customer.email},
            format="json",
        ).json()["id"]
    # A new ticket alone waits for the hourly pass (intake hands over routing only).
    assert not AccountHealth.objects.filter(organization=acme).exists()
    api.force_authenticate(acme_customer)
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(3):
            reply = api.post(
                f"/api/tickets/{ticket_id}/messages/", {"body": f"Any news? ({n})"}, format="json"
            )
            assert reply.status_code == 201, reply.content
    # The first message computed the health; the others left one delayed refresh behind.
    assert AccountHealth.objects.filter(organization=acme).count() == 1
    assert Schedule.objects.filter(name=f"account-health-{acme.pk}").count() == 1


def test_a_ticket_whose_priority_moves_with_the_account_says_why_in_its_history(acme, acme_customer):
    from escalation.routing.scoring import score_ticket

    ticket = Ticket.objects.create(
        subject="Exports", body="Exports are slow.", customer=acme_customer, organization=acme
    )
    calm = score_ticket(ticket)
    # "High" starts just above the ticket's score: the at-risk factor alone lifts it there.
    for level, minimum in (("urgent", 99.0), ("high", calm.value + 0.01), ("normal", 0.0)):
        PriorityThreshold.objects.update_or_create(priority=level, defaults={"min_score": minimum})
    Ticket.objects.filter(pk=ticket.pk).update(priority_score=calm.value, priority="normal")
    AccountHealthSettings.objects.create(pk=1, at_risk_below=99.5)  # any health is "at risk"

    account_health_refresh(organization_id=acme.pk)

    ticket.refresh_from_db()
    assert ticket.priority == "high"
    change = ticket.events.get(code="ticket.priority_changed")
    assert (change.from_value, change.to_value) == ("normal", "high")
    assert "the account is at risk (health" in change.reason
