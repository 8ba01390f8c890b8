"""Agents turn a resolution into a knowledge-base article from the ticket page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from helpdesk.models import Article, AuthorKind, Status
from tests.factories import CategoryFactory, MessageFactory, TicketFactory


@pytest.fixture
def answered(billing, agent):
    category = CategoryFactory(name="Invoice question", team=billing)
    ticket = TicketFactory(
        team=billing, category=category, subject="Where is my invoice?", status=Status.RESOLVED
    )
    MessageFactory(ticket=ticket, author=agent.user, author_kind=AuthorKind.AGENT, body="Old answer.")
    MessageFactory(ticket=ticket, author=agent.user, author_kind=AuthorKind.AGENT, body="Billing → Invoices.")
    MessageFactory(
        ticket=ticket, author=agent.user, author_kind=AuthorKind.AGENT, body="Note", is_internal=True
    )
    return ticket


def url(ticket) -> str:
    return reverse("agent:ticket_article", args=[ticket.pk])


def test_the_ticket_page_offers_it_and_the_form_starts_from_the_ticket(agent_client, answered):
    page = agent_client.get(reverse("agent:ticket", args=[answered.pk]))
    assert b"Turn into article" in page.content

    form = agent_client.get(url(answered)).context["form"]
    assert form.initial == {
        "title": "Where is my invoice?",
        "body": "Billing → Invoices.",  # the last public agent reply, not the internal note
        "categories": [answered.category_id],
    }


def test_saving_creates_a_published_article_linked_to_the_ticket(agent_client, agent, answered):
    response = agent_client.post(
        url(answered),
        {
            "title": "Finding your invoices",
            "body": "Open Billing → Invoices.",
            "categories": [answered.category_id],
        },
    )

    assert response.status_code == 302
    article = Article.objects.get()
    assert (article.title, article.source_ticket, article.created_by) == (
        "Finding your invoices",
        answered,
        agent.user,
    )
    assert list(article.categories.all()) == [answered.category] and article.is_published


def test_errors_stay_in_the_form(agent_client, answered):
    response = agent_client.post(url(answered), {"title": "  ", "body": "", "categories": ["nonsense"]})

    assert response.status_code == 400 and not Article.objects.exists()
    errors = response.context["form"].errors
    assert {"title", "body", "categories"} <= set(errors)
    assert b"Write the answer the article gives." in response.content


def test_a_new_ticket_without_an_answer_offers_no_article(agent_client, billing):
    ticket = TicketFactory(team=billing)
    page = agent_client.get(reverse("agent:ticket", args=[ticket.pk]))
    assert b"Turn into article" not in page.content


def test_customers_and_other_teams_cannot(client, customer, outsider, answered):
    client.force_login(customer)
    assert client.get(url(answered)).status_code == 403
    client.force_login(outsider.user)
    assert client.post(url(answered), {"title": "x", "body": "y"}).status_code == 404
    assert not Article.objects.exists()
