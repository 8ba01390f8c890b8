"""Turning a ticket's resolution into a knowledge-base article (agents only).

The form starts from the ticket: its subject as the title, the last public agent reply as the answer,
and its category. Saving creates a published article linked to the ticket; errors stay in the form.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from helpdesk.forms import ArticleForm, run_service
from helpdesk.models import Status, Ticket
from helpdesk.selectors import last_public_agent_reply, ticket_for
from helpdesk.services import article_create
from helpdesk.views.decorators import agent_required


def can_write_article(ticket: Ticket) -> bool:
    """A resolved ticket, or any ticket an agent has answered in public, may become an article."""
    return ticket.status in (Status.RESOLVED, Status.CLOSED) or last_public_agent_reply(ticket) is not None


def _initial(ticket: Ticket) -> dict:
    reply = last_public_agent_reply(ticket)
    return {
        "title": ticket.subject,
        "body": reply.body if reply else "",
        "categories": [ticket.category_id] if ticket.category_id else [],
    }


@agent_required
def article_from_ticket(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = ticket_for(request.user, pk)
    if request.method == "POST":
        form = ArticleForm(request.POST)
        article = form.is_valid() and run_service(
            form,
            lambda: article_create(
                author=request.user,
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
                categories=form.cleaned_data["categories"],
                source_ticket=ticket,
            ),
        )
        if article:
            messages.success(
                request,
                f"Article “{article.title}” saved to the knowledge base. Automatic answers use it once a "
                "lead of its team approves it.",
            )
            return redirect("agent:ticket", pk=ticket.pk)
        status = 400
    else:
        form, status = ArticleForm(initial=_initial(ticket)), 200
    return render(request, "agent/article_form.html", {"ticket": ticket, "form": form}, status=status)
