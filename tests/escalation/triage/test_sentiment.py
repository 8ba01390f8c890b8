"""Sentiment and frustration: calm and furious customers, the cues VADER alone misses, and the routing
path that re-routes a ticket when the customer's frustration rises sharply."""

from __future__ import annotations

from escalation.triage.sentiment import mood
from escalation.triage.ticket import triage_ticket
from helpdesk.models import AuthorKind
from helpdesk.services import message_add

CALM = "Hi, how do I export a report to PDF? Thanks!"
FURIOUS = "This is the THIRD TIME I am writing!!! Nobody cares. I will cancel our contract."


def test_a_calm_question_is_calm():
    felt = mood(CALM)
    assert felt.sentiment > 0.3 and felt.frustration == 0.0 and felt.cues == []


def test_a_furious_message_is_furious_and_says_why():
    felt = mood(FURIOUS)
    assert felt.frustration >= 0.8 and felt.sentiment < -0.3
    assert {"asked again", "nobody cares", "threatens to leave", "all caps", "exclamation run"} <= set(
        felt.cues
    )


def test_every_way_of_saying_we_will_leave_is_heard_as_a_threat_but_asking_about_cancellation_is_not():
    # The same phrases keep automation off the ticket (escalation.relationship.guardrails).
    for text in ("We will move to a competitor.", "Please close our account.", "We are not renewing."):
        assert "threatens to leave" in mood(text).cues, text
    assert "threatens to leave" not in mood("What is your cancellation policy?").cues


def test_repeat_contacts_add_frustration_up_to_a_cap():
    base = mood("The export is not working.").frustration
    assert mood("The export is not working.", repeat_contacts=1).frustration > base
    assert mood("The export is not working.", repeat_contacts=10).frustration <= base + 0.3 + 1e-9


def test_empty_and_odd_text_never_fails():
    assert mood("").frustration == 0.0
    assert 0.0 <= mood("!!!!!! ???? 💥" * 50).frustration <= 1.0


def test_triage_fills_sentiment_and_frustration_for_a_new_ticket(submit):
    ticket = submit("Export", CALM)
    result = triage_ticket(ticket)
    assert result.frustration == 0.0 and result.sentiment > 0
    assert ticket.frustration == 0.0  # the intake and routing stored it on the ticket


def test_a_customer_message_gets_its_own_scores(submit, customer, run_tasks):
    ticket = submit("Export", CALM)
    with run_tasks():
        message_add(ticket=ticket, author=customer, body=FURIOUS)

    message = ticket.messages.filter(author_kind=AuthorKind.CUSTOMER).last()
    assert message.frustration >= 0.8 and message.sentiment < 0


def test_a_sharp_rise_in_frustration_routes_the_ticket_again(submit, customer, agent, billing, run_tasks):
    ticket = submit("Invoice copy", "Could you send me a copy of the March invoice? Thanks.")
    ticket.team = billing
    ticket.save(update_fields=["team"])
    before_score = ticket.priority_score or 0
    decisions = ticket.routing_decisions.count()

    with run_tasks():
        message_add(ticket=ticket, author=customer, body=FURIOUS)

    ticket.refresh_from_db()
    latest = ticket.routing_decisions.first()
    assert ticket.routing_decisions.count() == decisions + 1 and latest.trigger == "customer_wrote"
    assert ticket.frustration >= 0.8 and ticket.priority_score > before_score


def test_the_api_returns_sentiment_and_autonomy(api, staff_user, django_capture_on_commit_callbacks):
    api.force_authenticate(staff_user)
    with django_capture_on_commit_callbacks(execute=True):
        created = api.post(
            "/api/tickets/",
            {"subject": "Still broken!!", "body": FURIOUS, "customer_email": "x@example.com"},
            format="json",
        )
    assert created.status_code == 201  # triage runs in the routing task, after commit

    shown = api.get(f"/api/tickets/{created.json()['id']}/").json()
    assert shown["sentiment"] < 0 and shown["autonomy"] == "human"
