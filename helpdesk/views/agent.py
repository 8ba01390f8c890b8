"""The agent workspace: queues, the ticket page and its actions, own status, notifications.

Actions post to one view with a named button (`action=reply|note|status|take|assign|escalate|resolve|decline`);
htmx requests get the re-rendered workspace fragment, plain posts are redirected back to the page.
"""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from helpdesk.forms import (
    AgentReplyForm,
    AgentStatusForm,
    AssignForm,
    DeclineForm,
    EscalateForm,
    NoteForm,
    ResolveForm,
    StatusForm,
    queue_request,
    run_service,
)
from helpdesk.models import Ticket
from helpdesk.pagination import KeysFirstPaginator
from helpdesk.permissions import is_below_ticket_tier
from helpdesk.selectors import (
    QUEUES,
    SORTS,
    agent_queue,
    agents_for_assignment,
    customer_recent_tickets,
    ticket_conversation,
    ticket_events,
    ticket_for,
)
from helpdesk.services import (
    agent_set_status,
    message_add,
    ticket_assign,
    ticket_decline,
    ticket_escalate,
    ticket_resolve,
    ticket_set_status,
)
from helpdesk.views.decorators import agent_required
from helpdesk.views.knowledge import can_write_article

QUEUE_PAGE_SIZE = 25


@agent_required
def queue(request: HttpRequest) -> HttpResponse:
    shown = queue_request(request.agent, request.GET)
    tickets = agent_queue(agent=request.agent, queue=shown.queue, filters=shown.filters, sort=shown.sort)
    page = KeysFirstPaginator(tickets, QUEUE_PAGE_SIZE).get_page(shown.page)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "form": shown.form,
        "queues": QUEUES,
        "sorts": SORTS,
        "current_queue": shown.queue,
        "current_sort": shown.sort,
        "querystring": query.urlencode(),
        "now": timezone.now(),
    }
    template = (
        "agent/queue.html#queue-table"
        if request.htmx and request.htmx.target == "queue-table"
        else "agent/queue.html"
    )
    return render(request, template, context)


def _page_context(request: HttpRequest, ticket: Ticket, failed: dict[str, forms.Form] | None = None) -> dict:
    failed = failed or {}
    agents = list(agents_for_assignment(ticket))
    return {
        "ticket": ticket,
        "conversation": ticket_conversation(ticket, include_internal=True),
        "events": ticket_events(ticket),
        "recent_tickets": customer_recent_tickets(ticket, viewer=request.user),
        "organization": ticket.organization,
        "reply_form": failed.get("reply") or AgentReplyForm(),
        "note_form": failed.get("note") or NoteForm(),
        "status_form": failed.get("status") or StatusForm(initial={"status": ticket.status}),
        "assign_form": failed.get("assign")
        or AssignForm(agents=agents, initial={"agent": ticket.assignee_id}),
        "escalate_form": failed.get("escalate") or EscalateForm(),
        "resolve_form": failed.get("resolve") or ResolveForm(),
        "decline_form": failed.get("decline") or DeclineForm(),
        "can_take": ticket.is_open
        and ticket.assignee_id != request.agent.pk
        and not is_below_ticket_tier(request.user, ticket),
        "can_write_article": can_write_article(ticket),
        "now": timezone.now(),
    }


@agent_required
def ticket_detail(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = ticket_for(request.user, pk)
    return render(request, "agent/ticket.html", _page_context(request, ticket))


# --- actions: each takes (request, ticket) and returns (form, succeeded) ---------------------


def _reply(request, ticket):
    form = AgentReplyForm(request.POST)
    ok = form.is_valid() and run_service(
        form,
        lambda: message_add(
            ticket=ticket,
            author=request.user,
            body=form.cleaned_data["body"],
            then_status=form.cleaned_data["then_status"] or None,
        ),
    )
    return form, bool(ok)


def _note(request, ticket):
    form = NoteForm(request.POST)
    ok = form.is_valid() and run_service(
        form,
        lambda: message_add(
            ticket=ticket, author=request.user, body=form.cleaned_data["body"], internal=True
        ),
    )
    return form, bool(ok)


def _status(request, ticket):
    form = StatusForm(request.POST)
    ok = form.is_valid() and run_service(
        form,
        lambda: ticket_set_status(
            ticket=ticket,
            status=form.cleaned_data["status"],
            actor=request.user,
            reason=form.cleaned_data["reason"],
        ),
    )
    return form, bool(ok)


def _take(request, ticket):
    form = forms.Form(request.POST)
    ok = run_service(
        form,
        lambda: ticket_assign(
            ticket=ticket, agent=request.agent, actor=request.user, reason="Taken by the agent."
        ),
    )
    return form, bool(ok)


def _assign(request, ticket):
    agents = {a.pk: a for a in agents_for_assignment(ticket)}
    form = AssignForm(request.POST, agents=agents.values())
    ok = form.is_valid() and run_service(
        form,
        lambda: ticket_assign(
            ticket=ticket,
            agent=agents[form.cleaned_data["agent"]],
            actor=request.user,
            reason="Assigned by hand.",
        ),
    )
    return form, bool(ok)


def _escalate(request, ticket):
    form = EscalateForm(request.POST)
    ok = form.is_valid() and run_service(
        form,
        lambda: ticket_escalate(
            ticket=ticket,
            kind=form.cleaned_data["kind"],
            actor=request.user,
            reason=form.cleaned_data["reason"],
            team=form.cleaned_data["team"],
            tier=form.cleaned_data["tier"],
        ),
    )
    return form, bool(ok)


def _resolve(request, ticket):
    form = ResolveForm(request.POST)
    ok = form.is_valid() and run_service(
        form, lambda: ticket_resolve(ticket=ticket, actor=request.user, reason=form.cleaned_data["reason"])
    )
    return form, bool(ok)


def _decline(request, ticket):
    form = DeclineForm(request.POST)
    ok = form.is_valid() and run_service(
        form, lambda: ticket_decline(ticket=ticket, agent=request.agent, reason=form.cleaned_data["reason"])
    )
    return form, bool(ok)


ACTIONS: dict[str, tuple[Callable, str]] = {
    "reply": (_reply, "Reply sent."),
    "note": (_note, "Note added."),
    "status": (_status, "Status changed."),
    "take": (_take, "The ticket is yours."),
    "assign": (_assign, "Ticket assigned."),
    "escalate": (_escalate, "Ticket escalated."),
    "resolve": (_resolve, "Ticket resolved."),
    "decline": (_decline, "Declined: routing will find someone else."),
}


@agent_required
@require_POST
def ticket_action(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = ticket_for(request.user, pk)
    action = request.POST.get("action", "")
    if action not in ACTIONS:
        return HttpResponseBadRequest("Unknown action.")
    handler, success_message = ACTIONS[action]
    form, ok = handler(request, ticket)
    if ok:
        messages.success(request, success_message)
        if not request.htmx:
            return redirect("agent:ticket", pk=ticket.pk)
    else:
        # Refusals concern the action, not a field (and the Take button has no form to show them in).
        refusal = " ".join(form.non_field_errors())
        messages.error(request, refusal or "That did not work — see the form for details.")
    # The agent may have just escalated the ticket out of their own reach: then back to the queue.
    try:
        ticket = ticket_for(request.user, pk)
    except Http404:
        if request.htmx:
            response = HttpResponse(status=204)
            response["HX-Redirect"] = "/agent/"
            return response
        return redirect("agent:queue")
    context = _page_context(request, ticket, failed=None if ok else {action: form})
    if request.htmx:
        # htmx swaps only 2xx responses, so form errors come back as 200 with the errors shown.
        return render(request, "agent/ticket.html#workspace", context)
    return render(request, "agent/ticket.html", context, status=400)


@agent_required
@require_POST
def set_status(request: HttpRequest) -> HttpResponse:
    form = AgentStatusForm(request.POST)
    if form.is_valid():
        request.agent = agent_set_status(
            agent=request.agent, status=form.cleaned_data["status"], actor=request.user
        )
    if request.htmx:
        return render(
            request, "agent/_status.html", {"current_agent": request.agent, "status_form_errors": form.errors}
        )
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = "/agent/"
    return redirect(next_url)
