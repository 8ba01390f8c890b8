"""The autonomy decision through the real routing entry point, and what happens after an automatic answer.

Triage is patched to a fixed TriageResult (the trained model is another part of the system): the tests
pin the confidence and watch what a customer and an agent would see.
"""

from __future__ import annotations

import datetime as dt

import pytest

from escalation.autonomy.outcomes import settle_expired
from escalation.models import EscalationRule
from escalation.models.autonomy import AutomationRecord, CategoryAutonomy, Outcome, ThresholdChange
from escalation.routing import engine as routing
from escalation.triage import TriageResult
from helpdesk.models import Article, AuthorKind, Autonomy, Role, Status, TicketEvent
from helpdesk.services import csat_submit, message_add
from helpdesk.services.article_review import article_approve
from tests.factories import AgentFactory, CategoryFactory, TeamFactory, UserFactory


@pytest.fixture
def accounts(db):
    return TeamFactory(name="Accounts")


@pytest.fixture
def password_reset(accounts):
    return CategoryFactory(name="Password reset", team=accounts, is_automatable=True, keywords=["password"])


@pytest.fixture
def accounts_lead(accounts, tier2):
    return AgentFactory(user=UserFactory(username="lars"), tier=tier2, role=Role.LEAD, teams=[accounts])


@pytest.fixture
def article(password_reset, accounts_lead):
    """An article the Accounts lead approved: automation may answer with it."""
    article = Article.objects.create(
        title="Resetting your password",
        body="Open the sign-in page, choose 'Forgot password' and follow the link we e-mail you.",
    )
    article.categories.add(password_reset)
    return article_approve(article=article, reviewer=accounts_lead.user)


@pytest.fixture
def helper(accounts, tier1):
    """The Accounts agent who gets whatever automation does not handle."""
    return AgentFactory(user=UserFactory(username="hana"), tier=tier1, teams=[accounts])


@pytest.fixture
def confident(monkeypatch, password_reset):
    """Make triage say: this ticket is about `category`, with this confidence."""

    def set_confidence(confidence, category=password_reset):
        result = TriageResult(
            category=category,
            team=category.team,
            confidence=confidence,
            sentiment=0.0,
            frustration=0.0,
            source="model",
        )
        monkeypatch.setattr(routing, "triage_ticket", lambda ticket: result)

    return set_confidence


@pytest.fixture
def forgot(submit, article, helper):
    def create():
        return submit("Forgot my password", "I forgot my password and cannot sign in. Can you reset it?")

    return create


def _automatic_replies(ticket):
    return ticket.messages.filter(author_kind=AuthorKind.SYSTEM, is_internal=False)


# --- the three bands ------------------------------------------------------------------------------


def test_high_confidence_answers_from_the_knowledge_base_and_waits_for_the_customer(confident, forgot):
    confident(0.91)
    ticket = forgot()

    assert ticket.autonomy == Autonomy.AUTONOMOUS
    assert ticket.status == Status.PENDING and ticket.assignee is None
    reply = _automatic_replies(ticket).get()
    assert "Forgot password" in reply.body and "Resetting your password" in reply.body
    decision = ticket.routing_decisions.first()
    assert "confidence 91% ≥ 85% for Password reset; answer: article 'Resetting your password'" in (
        decision.explanation
    )
    assert ticket.automation.outcome == Outcome.PENDING
    assert TicketEvent.objects.filter(ticket=ticket, code="automation.replied").exists()
    assert ticket.first_response_at is not None


def test_medium_confidence_prepares_a_draft_and_an_agent_gets_the_ticket(confident, forgot, helper):
    confident(0.72)
    ticket = forgot()

    assert ticket.autonomy == Autonomy.REVIEW and ticket.assignee == helper
    assert not _automatic_replies(ticket).exists()  # nothing reaches the customer before approval
    assert ticket.automation.mode == Autonomy.REVIEW and "Forgot password" in ticket.automation.draft
    assert TicketEvent.objects.filter(ticket=ticket, code="automation.draft").exists()


def test_low_confidence_goes_straight_to_people(confident, forgot, helper):
    confident(0.41)
    ticket = forgot()

    assert ticket.autonomy == Autonomy.HUMAN and ticket.assignee == helper
    assert not AutomationRecord.objects.filter(ticket=ticket).exists()
    assert "confidence 41% < 60% review threshold" in ticket.routing_decisions.first().explanation


def test_a_rule_requiring_a_human_beats_confidence_of_99_percent(confident, forgot, helper):
    EscalationRule.objects.create(
        name="Passwords need a person today",
        order=1,
        conditions={"field": "text", "op": "contains_any", "value": ["password"]},
        actions=[{"type": "require_human"}],
    )
    confident(0.99)
    ticket = forgot()

    assert ticket.autonomy == Autonomy.HUMAN and ticket.requires_human
    assert ticket.assignee == helper and not _automatic_replies(ticket).exists()


def test_a_category_not_marked_automatable_stays_with_people(confident, forgot, password_reset, helper):
    password_reset.is_automatable = False
    password_reset.save()
    confident(0.97)
    ticket = forgot()

    assert ticket.autonomy == Autonomy.HUMAN and ticket.assignee == helper


def test_high_confidence_without_a_matching_article_falls_back_to_review(confident, submit, helper):
    confident(0.95)
    ticket = submit("Forgot my password", "I forgot my password.")  # no article exists

    assert ticket.autonomy == Autonomy.REVIEW and ticket.assignee == helper
    assert not _automatic_replies(ticket).exists()


def test_the_per_category_threshold_decides(confident, forgot, password_reset):
    CategoryAutonomy.objects.create(category=password_reset, high_threshold=0.95, min_threshold=0.9)
    confident(0.91)

    assert forgot().autonomy == Autonomy.REVIEW


# --- after the automatic answer ----------------------------------------------------------------------


def test_did_not_help_reopens_and_a_person_takes_over(confident, forgot, customer, helper, run_tasks):
    confident(0.91)
    ticket = forgot()

    with run_tasks():
        message_add(ticket=ticket, author=customer, body="That did not help, the link is still broken.")

    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN and ticket.assignee == helper
    assert ticket.autonomy == Autonomy.HUMAN
    assert ticket.automation.outcome == Outcome.REOPENED
    assert TicketEvent.objects.filter(ticket=ticket, code="automation.rejected").exists()
    change = ThresholdChange.objects.get()
    assert (change.old, change.new) == (0.85, 0.88)
    assert change.evidence["ticket_ids"] == [ticket.pk] and change.evidence["outcome"] == "reopened"


def test_a_confirmation_resolves_the_ticket(confident, forgot, customer, run_tasks):
    confident(0.91)
    ticket = forgot()

    with run_tasks():
        message_add(ticket=ticket, author=customer, body="Thanks, that worked!")

    ticket.refresh_from_db()
    assert ticket.status == Status.RESOLVED and ticket.assignee is None
    assert ticket.automation.outcome == Outcome.CONFIRMED
    assert CategoryAutonomy.objects.get().success_streak == [ticket.pk]


def test_no_answer_within_the_window_counts_as_solved(confident, forgot, time_machine):
    confident(0.91)
    ticket = forgot()

    assert settle_expired() == 0  # too early
    time_machine.move_to(ticket.created_at + dt.timedelta(days=3, minutes=1))
    assert settle_expired() == 1

    ticket.refresh_from_db()
    assert ticket.status == Status.RESOLVED and ticket.automation.outcome == Outcome.UNANSWERED


def test_waiting_for_the_customer_is_not_offered_to_agents(confident, forgot, helper):
    confident(0.91)
    ticket = forgot()

    routing.recheck_waiting_tickets()
    routing.offer_waiting_tickets(helper.pk)

    ticket.refresh_from_db()
    assert ticket.assignee is None and ticket.status == Status.PENDING


def test_coming_back_about_it_within_the_window_is_a_failure(confident, forgot, customer, run_tasks):
    confident(0.91)
    first = forgot()
    with run_tasks():
        message_add(ticket=first, author=customer, body="Solved, thanks")

    forgot()  # the same customer, the same category, the next day at the latest

    first.automation.refresh_from_db()
    assert first.automation.outcome == Outcome.FOLLOWED_UP
    assert ThresholdChange.objects.get().new == 0.88


def test_a_low_rating_of_an_automatic_resolution_is_a_failure(confident, forgot, customer, run_tasks):
    confident(0.91)
    ticket = forgot()
    with run_tasks():
        message_add(ticket=ticket, author=customer, body="That worked.")
    ticket.refresh_from_db()

    with run_tasks():
        csat_submit(ticket=ticket, customer=customer, score=1)

    ticket.automation.refresh_from_db()
    assert ticket.automation.outcome == Outcome.LOW_CSAT
    assert "rated 1/5" in ThresholdChange.objects.get().reason


# --- only reviewed knowledge reaches customers ----------------------------------------------------------


def test_an_article_nobody_approved_never_answers_a_customer(confident, forgot, article, helper):
    Article.objects.filter(pk=article.pk).update(review_state="in_review")
    confident(0.99)
    ticket = forgot()

    assert ticket.autonomy == Autonomy.REVIEW and ticket.assignee == helper
    assert not _automatic_replies(ticket).exists()
    assert "no approved article matches" in ticket.routing_decisions.first().explanation


def test_editing_an_approved_article_takes_it_out_of_automatic_answers(confident, forgot, article):
    article.body += " Or visit our partner for a faster fix."
    article.save()
    assert article.review_state == "in_review"
    confident(0.99)
    ticket = forgot()
    assert ticket.autonomy == Autonomy.REVIEW and not _automatic_replies(ticket).exists()


def test_an_edit_behind_the_review_s_back_is_not_trusted(confident, forgot, article):
    """A bulk update skips save(); the approval still covers only the text the lead saw."""
    Article.objects.filter(pk=article.pk).update(body="Send your password to http://evil.example/")
    confident(0.99)
    ticket = forgot()
    assert ticket.autonomy == Autonomy.REVIEW and not _automatic_replies(ticket).exists()


def test_a_link_to_a_foreign_site_sends_the_answer_to_review(
    confident, forgot, article, accounts_lead, helper
):
    article.body += " Details: https://password-help.example.net/reset?src=kb"
    article.save()
    article_approve(article=article, reviewer=accounts_lead.user)  # even approved, the link stays out
    confident(0.99)
    ticket = forgot()

    assert ticket.autonomy == Autonomy.REVIEW and ticket.assignee == helper
    assert not _automatic_replies(ticket).exists()
    explanation = ticket.routing_decisions.first().explanation
    assert "links outside the allowed domains (password-help.example.net)" in explanation
    assert ticket.automation.draft  # the agent gets the draft to check and send


def test_links_to_the_site_itself_are_sent(confident, forgot, article, accounts_lead, settings):
    settings.HELPDESK_ANSWER_LINK_DOMAINS = ["help.example.com"]
    article.body += " Step by step: https://help.example.com/help/password-reset/ or www.help.example.com/faq"
    article.save()
    article_approve(article=article, reviewer=accounts_lead.user)
    confident(0.99)
    ticket = forgot()

    assert ticket.autonomy == Autonomy.AUTONOMOUS
    assert "https://help.example.com/help/password-reset/" in _automatic_replies(ticket).get().body
