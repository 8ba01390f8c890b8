"""The customer portal: submit, follow, reply, rate. Customers only ever see their own tickets."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.views.decorators.http import require_POST

from helpdesk.abuse.quotas import ticket_quota_message, ticket_quota_wait
from helpdesk.forms import CsatForm, ReplyForm, TicketForm, run_service
from helpdesk.models import Channel, Status, Ticket
from helpdesk.selectors import ticket_conversation
from helpdesk.services import csat_submit, message_add, ticket_create


def portal_language(request: HttpRequest) -> str | None:
    """The language the customer uses the portal in (their browser's choice), if they sent one."""
    if not request.headers.get("Accept-Language"):
        return None
    return translation.get_language_from_request(request)


def _own_ticket(request: HttpRequest, pk: int) -> Ticket:
    """The customer's own ticket, or 404 — even for agents, the portal shows only one's own tickets."""
    return get_object_or_404(Ticket.objects.select_related("csat"), pk=pk, customer=request.user)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    tickets = Ticket.objects.filter(customer=request.user).select_related("category").order_by("-created_at")
    page = Paginator(tickets, 20).get_page(request.GET.get("page"))
    return render(request, "portal/home.html", {"page": page})


@login_required
def ticket_new(request: HttpRequest) -> HttpResponse:
    form = TicketForm(request.POST or None)
    wait = ticket_quota_wait(customer=request.user) if request.method == "POST" else 0
    if wait:  # too many new tickets: the form comes back with what was typed, and says when to try again
        form.is_valid()
        form.add_error(None, ticket_quota_message(wait))
        response = render(request, "portal/ticket_new.html", {"form": form}, status=429)
        response["Retry-After"] = str(wait)
        return response
    if request.method == "POST" and form.is_valid():
        ticket = run_service(
            form,
            lambda: ticket_create(
                customer=request.user,
                subject=form.cleaned_data["subject"],
                body=form.cleaned_data["body"],
                category=form.cleaned_data["category"],
                channel=Channel.PORTAL,
                portal_language=portal_language(request),
            ),
        )
        if ticket is not None:
            return redirect("portal:ticket_submitted", pk=ticket.pk)
    return render(request, "portal/ticket_new.html", {"form": form}, status=400 if form.errors else 200)


@login_required
def ticket_submitted(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "portal/ticket_submitted.html", {"ticket": _own_ticket(request, pk)})


def _detail_context(request: HttpRequest, ticket: Ticket, **forms) -> dict:
    context = {
        "ticket": ticket,
        "conversation": ticket_conversation(ticket, include_internal=False),
        "reply_form": forms.get("reply_form") or ReplyForm(),
        "csat_form": forms.get("csat_form") or CsatForm(),
        "can_reply": ticket.status != Status.CLOSED,
    }
    return context


@login_required
def ticket_detail(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = _own_ticket(request, pk)
    return render(request, "portal/ticket_detail.html", _detail_context(request, ticket))


@login_required
@require_POST
def ticket_reply(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = _own_ticket(request, pk)
    form = ReplyForm(request.POST)
    if form.is_valid() and run_service(
        form,
        lambda: message_add(
            ticket=ticket, author=request.user, body=form.cleaned_data["body"], channel=Channel.PORTAL
        ),
    ):
        messages.success(request, "Your reply was sent.")
        return redirect("portal:ticket_detail", pk=ticket.pk)
    ticket.refresh_from_db()
    return render(
        request, "portal/ticket_detail.html", _detail_context(request, ticket, reply_form=form), status=400
    )


@login_required
@require_POST
def ticket_rate(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = _own_ticket(request, pk)
    form = CsatForm(request.POST)
    if form.is_valid() and run_service(
        form,
        lambda: csat_submit(
            ticket=ticket,
            customer=request.user,
            score=form.cleaned_data["score"],
            comment=form.cleaned_data["comment"],
        ),
    ):
        messages.success(request, "Thank you for rating this ticket.")
        return redirect("portal:ticket_detail", pk=ticket.pk)
    return render(
        request, "portal/ticket_detail.html", _detail_context(request, ticket, csat_form=form), status=400
    )
