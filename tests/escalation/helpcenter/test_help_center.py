"""The help center: customers and visitors browse, search and get suggestions from the published knowledge
base — ranked as automatic answers pick them — vote on articles, and say when one solved their question."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import override_settings

from escalation.autonomy.knowledge import best_article
from escalation.helpcenter.ranking import rank_articles
from escalation.models import AutomationRecord, Outcome, ThresholdChange
from helpdesk.models import Article, ArticleVote, Autonomy, Deflection, Status, Ticket
from helpdesk.models.knowledge import unique_slug
from helpdesk.services.article_review import article_approve_seeded
from tests.factories import CategoryFactory, TicketFactory


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def kb(db):
    """Accounts articles (published), a draft, and an internal-only article."""
    accounts = CategoryFactory(name="Accounts", is_automatable=True)
    billing = CategoryFactory(name="Billing")

    def article(title, body, *categories, approved=True, **flags):
        created = Article.objects.create(title=title, body=body, **flags)
        created.categories.set(categories)
        return article_approve_seeded(article=created) if approved else created

    return {
        "accounts": accounts,
        "reset": article(
            "Reset your password",
            "Open the sign-in page, choose Forgot password and follow the link we e-mail you.",
            accounts,
        ),
        "locked": article(
            "Account locked after failed sign-ins",
            "After five wrong passwords the account is locked for 15 minutes.",
            accounts,
        ),
        "refund": article("Refund a double charge", "Refunds take 5 days to reach your card.", billing),
        "unpublished": article("Old refund rules", "No longer valid.", billing, is_published=False),
        "draft": article(
            "Password reset via SMS", "Coming soon: reset your password by text.", accounts, approved=False
        ),
        "internal": article(
            "Reset a password for a customer by hand",
            "Agents: use the admin to reset the password when the customer cannot.",
            accounts,
            internal_only=True,
        ),
    }


def test_the_help_center_lists_published_articles_by_category(client, kb):
    page = client.get("/help/").content.decode()
    assert "Accounts" in page and "Billing" in page
    for name in ("reset", "locked", "refund"):
        assert kb[name].title in page
    assert kb["draft"].title not in page and kb["internal"].title not in page
    assert kb["unpublished"].title not in page


def test_article_pages_by_slug_and_drafts_or_internal_ones_stay_internal(client, kb, agent):
    assert kb["reset"].slug == "reset-your-password"
    page = client.get("/help/reset-your-password/")
    assert page.status_code == 200 and "Forgot password" in page.content.decode()
    assert client.get(f"/help/{kb['draft'].slug}/").status_code == 404
    assert client.get(f"/help/{kb['internal'].slug}/").status_code == 404
    client.force_login(agent.user)
    internal = client.get(f"/help/{kb['internal'].slug}/").content.decode()
    assert "Internal: only support staff see it" in internal


def test_search_ranks_articles_and_never_shows_internal_ones(client, kb, customer):
    client.force_login(customer)
    page = client.get("/help/search/", {"q": "I forgot my password and cannot reset it"}).content.decode()
    results = page.split('id="search-results"')[1]
    assert results.index(kb["reset"].title) < results.index(kb["locked"].title)
    assert kb["internal"].title not in page and kb["draft"].title not in page
    empty = client.get("/help/search/", {"q": "quantum teleportation"}).content.decode()
    assert "No article matches" in empty
    blank = client.get("/help/search/", {"q": "  "}).content.decode()
    assert "Type a few words about your question" in blank  # a search with no words says what to do


def test_suggestions_are_public_and_shaped_as_the_contract_says(api, kb):
    response = api.get("/api/articles/suggest/", {"q": "password reset link"})
    assert response.status_code == 200
    rows = response.json()
    assert rows[0] == {
        "id": kb["reset"].pk,
        "title": "Reset your password",
        "url": "http://testserver/help/reset-your-password/",
        "score": rows[0]["score"],
    }
    assert rows[0]["score"] > 0 and [r["score"] for r in rows] == sorted(
        (r["score"] for r in rows), reverse=True
    )
    assert {r["id"] for r in rows}.isdisjoint({kb["draft"].pk, kb["internal"].pk})
    assert api.get("/api/articles/suggest/", {"q": ""}).json() == []
    assert api.get("/api/articles/suggest/").json() == []


@pytest.mark.parametrize(
    "text",
    [
        "Password reset link never arrives",
        "My account is locked after too many failed sign-ins",
        "How do I reset the password of my account?",
    ],
)
def test_suggestions_rank_like_the_automatic_answer(kb, text):
    ticket = Ticket(subject=text, body="", category=kb["accounts"])
    in_category = Article.objects.filter(
        is_published=True, review_state="approved", categories=kb["accounts"]
    )
    ranked = rank_articles(text, articles=in_category)
    assert ranked and ranked[0].article == best_article(ticket)


@override_settings(SUGGEST_REQUESTS_PER_MINUTE=2)
def test_suggestions_are_limited_per_client(api, kb):
    codes = [api.get("/api/articles/suggest/", {"q": "password"}).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    assert "detail" in api.get("/api/articles/suggest/", {"q": "password"}).json()


def test_a_reader_votes_once_and_may_change_their_mind(client, kb, customer):
    url = "/help/reset-your-password/vote/"
    client.post(url, {"helpful": "no"})  # an anonymous visitor, counted by session
    client.force_login(customer)
    client.post(url, {"helpful": "yes"})
    client.post(url, {"helpful": "no"})
    assert ArticleVote.objects.filter(article=kb["reset"]).count() == 2
    assert ArticleVote.objects.get(article=kb["reset"], user=customer).helpful is False
    assert client.post(url, {"helpful": "maybe"}).status_code == 302
    assert ArticleVote.objects.filter(article=kb["reset"]).count() == 2
    page = client.get("/help/reset-your-password/").content.decode()
    assert "You told us this did not help" in page


def _answered_with(article, customer, category) -> AutomationRecord:
    ticket = TicketFactory(
        customer=customer, category=category, status=Status.PENDING, autonomy=Autonomy.AUTONOMOUS
    )
    return AutomationRecord.objects.create(
        ticket=ticket, mode=Autonomy.AUTONOMOUS, category=category, article=article
    )


def test_a_helpful_vote_on_the_automatic_answer_confirms_it(client, kb, customer):
    record = _answered_with(kb["reset"], customer, kb["accounts"])
    client.force_login(customer)
    client.post("/help/reset-your-password/vote/", {"helpful": "yes"})
    record.refresh_from_db()
    assert record.outcome == Outcome.CONFIRMED
    assert Ticket.objects.get(pk=record.ticket_id).status == Status.RESOLVED


def test_an_unhelpful_vote_fails_the_automatic_answer_and_raises_the_threshold(client, kb, customer):
    record = _answered_with(kb["reset"], customer, kb["accounts"])
    client.force_login(customer)
    client.post("/help/reset-your-password/vote/", {"helpful": "no"})
    record.refresh_from_db()
    assert record.outcome == Outcome.REOPENED
    assert Ticket.objects.get(pk=record.ticket_id).events.filter(code="automation.rejected").exists()
    assert ThresholdChange.objects.filter(setting__category=kb["accounts"]).exists()


def test_votes_of_other_readers_leave_automatic_answers_alone(client, kb, customer, other_customer):
    record = _answered_with(kb["reset"], customer, kb["accounts"])
    client.force_login(other_customer)
    client.post("/help/reset-your-password/vote/", {"helpful": "no"})
    record.refresh_from_db()
    assert record.outcome == Outcome.PENDING


def test_this_solved_it_is_counted_without_a_ticket(client, kb, customer):
    client.force_login(customer)
    tickets = Ticket.objects.count()
    page = client.post("/help/reset-your-password/solved/", {"q": "forgot   my password"})
    assert page.status_code == 200 and "no ticket was needed" in page.content.decode()
    deflection = Deflection.objects.get()
    assert deflection.article == kb["reset"] and deflection.user == customer
    assert deflection.query == "forgot my password"
    assert Ticket.objects.count() == tickets
    assert client.post(f"/help/{kb['internal'].slug}/solved/").status_code == 404


def test_slugs_are_unique_and_never_take_a_help_center_address(db):
    first = Article.objects.create(title="Search", body="x")
    second = Article.objects.create(title="Search", body="y")
    assert first.slug == "search-article" and second.slug == "search-article-2"
    assert unique_slug("Ünïcode & spaces!") == "unicode-spaces"
