"""The agent workspace: queues, the ticket page and its actions, own status, notifications.

Actions post to one view with a named button (`action=reply|note|call|status|take|assign|escalate|resolve|decline|
tags|link|merge|follow`); htmx requests get the re-rendered workspace fragment, plain posts are redirected
back to the page. Each form on the page has its own prefix (`reply-body`, `note-body`, `status-reason` ...),
so every element id is unique; plain field names are accepted too.
"""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from helpdesk.forms import (
    AgentReplyForm,
    AgentStatusForm,
    AssignForm,
    BulkForm,
    DeclineForm,
    EscalateForm,
    LinkForm,
    MergeForm,
    NoteForm,
    PhoneCallForm,
    ResolveForm,
    SavedViewForm,
    StatusForm,
    TagsForm,
    queue_request,
    run_service,
)
from helpdesk.models import Agent, Status, Team, Ticket
from helpdesk.pagination import KeysFirstPaginator
from helpdesk.permissions import agent_team_ids
from helpdesk.selectors import (
    QUEUES,
    SORTS,
    agent_queue,
    agents_for_assignment,
    customer_recent_tickets,
    ticket_conversation,
    ticket_events,
    ticket_for,
    ticket_links,
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
from helpdesk.services.calls import phone_call_log
from helpdesk.services.macros import macro_apply, macro_for, macros_for
from helpdesk.services.search import search_snippets, search_terms
from helpdesk.services.views import saved_views_for
from helpdesk.views.decorators import agent_required
from helpdesk.views.knowledge import can_write_article
from helpdesk.views.workspace import (
    follow_action,
    link_action,
    merge_action,
    newer_messages,
    prefixed,
    tags_action,
)

QUEUE_PAGE_SIZE = 25


def agents_for_bulk(agent):
    """Who the bulk bar offers to assign to: the agent's teams' members (everyone for leads)."""
    from_teams = Agent.objects.select_related("user").order_by("user__username")
    if not agent.sees_all_tickets:
        from_teams = from_teams.filter(teams__in=agent_team_ids(agent)).distinct()
    return list(from_teams)


@agent_required
def queue(request: HttpRequest) -> HttpResponse:
    shown = queue_request(request.agent, request.GET)
    tickets = agent_queue(agent=request.agent, queue=shown.queue, filters=shown.filters, sort=shown.sort)
    page = KeysFirstPaginator(tickets, QUEUE_PAGE_SIZE).get_page(shown.page)
    terms = search_terms(shown.filters.search)
    snippets = (
        search_snippets(list(page.object_list), terms=terms, include_internal=True)
        if terms is not None
        else {}
    )
    for ticket in page.object_list:
        ticket.snippet = snippets.get(ticket.pk, "")
    query = request.GET.copy()
    query.pop("page", None)
    view_query = query.copy()
    view_query.pop("view", None)
    agent = request.agent
    context = {
        "page": page,
        "form": shown.form,
        "queues": QUEUES,
        "sorts": SORTS,
        "current_queue": shown.queue,
        "current_sort": shown.sort,
        "current_view": request.GET.get("view", ""),
        "saved_views": list(saved_views_for(agent)),
        "view_form": SavedViewForm(
            teams=Team.objects.filter(pk__in=agent_team_ids(agent)) if agent.sees_all_tickets else None
        ),
        "bulk_form": BulkForm(),
        "bulk_agents": agents_for_bulk(agent),
        "searching": terms is not None,
        "querystring": query.urlencode(),
        "view_querystring": view_query.urlencode(),
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
    conversation = list(ticket_conversation(ticket, include_internal=True))
    latest = max((m.pk for m in conversation), default=0)
    tags = sorted(ticket.tags.values_list("name", flat=True))
    reply_form = failed.get("reply") or AgentReplyForm(prefix="reply", initial={"seen": latest})
    return {
        "ticket": ticket,
        "conversation": conversation,
        "latest_message_id": latest,
        "events": ticket_events(ticket),
        "recent_tickets": customer_recent_tickets(ticket),
        "organization": ticket.organization,
        "reply_form": reply_form,
        "newer_warning": bool(reply_form.is_bound and reply_form.has_error("seen")),
        "macros": list(macros_for(request.user)),
        "call_form": failed.get("call") or PhoneCallForm(),
        "outbound_emails": ticket.outbound_emails.order_by("-created_at")[:10],
        "note_form": failed.get("note") or NoteForm(prefix="note"),
        "status_form": failed.get("status") or StatusForm(prefix="status", initial={"status": ticket.status}),
        "assign_form": failed.get("assign")
        or AssignForm(prefix="assign", agents=agents, initial={"agent": ticket.assignee_id}),
        "escalate_form": failed.get("escalate") or EscalateForm(prefix="escalate"),
        "resolve_form": failed.get("resolve") or ResolveForm(prefix="resolve"),
        "decline_form": failed.get("decline") or DeclineForm(prefix="decline"),
        "tags": tags,
        "tags_form": failed.get("tags") or TagsForm(prefix="tags", initial={"tags": ", ".join(tags)}),
        "link_form": failed.get("link") or LinkForm(prefix="link"),
        "merge_form": failed.get("merge") or MergeForm(prefix="merge"),
        "links": ticket_links(ticket),
        "following": ticket.followers.filter(pk=request.user.pk).exists(),
        "followers": list(ticket.followers.all()),
        "can_take": ticket.is_open and ticket.assignee_id != request.agent.pk,
        "can_write_article": can_write_article(ticket),
        "now": timezone.now(),
    }


@agent_required
def ticket_detail(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = ticket_for(request.user, pk)
    if ticket.merged_into_id:
        messages.info(
            request,
            f"#{ticket.pk} was merged into #{ticket.merged_into_id}: the conversation continues here.",
        )
        return redirect("agent:ticket", pk=ticket.merged_into_id)
    return render(request, "agent/ticket.html", _page_context(request, ticket))


# --- actions: each takes (request, ticket) and returns (form, succeeded) ---------------------


def _reply(request, ticket, *, then_status: str | None = None):
    form = AgentReplyForm(request.POST, request.FILES, prefix=prefixed(request, "reply"))
    if not form.is_valid():
        return form, False
    data = form.cleaned_data
    newer = newer_messages(ticket, seen=data["seen"], user=request.user)
    if newer and not data["confirm_newer"]:
        # Say so once; the form comes back with the text kept, and sending again goes through.
        form.add_error(
            "seen",
            f"{newer} new message{'s' if newer > 1 else ''} arrived since you opened the ticket. "
            "Read {0} above, then send again.".format("them" if newer > 1 else "it"),
        )
        form.data = form.data.copy()
        form.data[form.add_prefix("confirm_newer")] = "on"
        return form, False
    macro = None
    if data["macro"]:
        try:
            macro = macro_for(request.user, data["macro"])
        except ValidationError:
            macro = None

    def send():
        with transaction.atomic():
            message = message_add(
                ticket=ticket,
                author=request.user,
                body=data["body"],
                then_status=then_status or data["then_status"] or None,
                attachments=data["attachments"],
            )
            if macro is not None:  # the macro filled the text; its changes come with the reply
                macro_apply(ticket=ticket, macro=macro, actor=request.user, body="")
        return message

    ok = run_service(form, send)
    return form, bool(ok)


def _reply_resolve(request, ticket):
    return _reply(request, ticket, then_status=Status.RESOLVED)


def _note(request, ticket):
    form = NoteForm(request.POST, request.FILES, prefix=prefixed(request, "note"))
    ok = form.is_valid() and run_service(
        form,
        lambda: message_add(
            ticket=ticket,
            author=request.user,
            body=form.cleaned_data["body"],
            internal=True,
            attachments=form.cleaned_data["attachments"],
        ),
    )
    return form, bool(ok)


def _call(request, ticket):
    form = PhoneCallForm(request.POST)
    ok = form.is_valid() and run_service(
        form,
        lambda: phone_call_log(
            ticket=ticket,
            agent=request.user,
            summary=form.cleaned_data["summary"],
            direction=form.cleaned_data["direction"],
            internal=form.cleaned_data["internal"],
        ),
    )
    return form, bool(ok)


def _status(request, ticket):
    form = StatusForm(request.POST, prefix=prefixed(request, "status"))
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
    form = AssignForm(request.POST, agents=agents.values(), prefix=prefixed(request, "assign"))
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
    form = EscalateForm(request.POST, prefix=prefixed(request, "escalate"))
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
    form = ResolveForm(request.POST, prefix=prefixed(request, "resolve"))
    ok = form.is_valid() and run_service(
        form, lambda: ticket_resolve(ticket=ticket, actor=request.user, reason=form.cleaned_data["reason"])
    )
    return form, bool(ok)


def _decline(request, ticket):
    form = DeclineForm(request.POST, prefix=prefixed(request, "decline"))
    ok = form.is_valid() and run_service(
        form, lambda: ticket_decline(ticket=ticket, agent=request.agent, reason=form.cleaned_data["reason"])
    )
    return form, bool(ok)


ACTIONS: dict[str, tuple[Callable, str]] = {
    "reply": (_reply, "Reply sent."),
    "reply_resolve": (_reply_resolve, "Reply sent and ticket resolved."),
    "note": (_note, "Note added."),
    "call": (_call, "Call logged."),
    "status": (_status, "Status changed."),
    "take": (_take, "The ticket is yours."),
    "assign": (_assign, "Ticket assigned."),
    "escalate": (_escalate, "Ticket escalated."),
    "resolve": (_resolve, "Ticket resolved."),
    "decline": (_decline, "Declined: routing will find someone else."),
    "tags": (tags_action, "Tags saved."),
    "link": (link_action, "Tickets linked."),
    "merge": (merge_action, "Merged: the conversation continues on this ticket."),
    "follow": (follow_action, "Following updated."),
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
    if ok and action == "merge":
        messages.success(request, success_message)
        target = form.cleaned_data["into"]
        if request.htmx:
            response = HttpResponse(status=204)
            response["HX-Redirect"] = f"/agent/tickets/{target}/"
            return response
        return redirect("agent:ticket", pk=target)
    if ok:
        messages.success(request, success_message)
        if not request.htmx:
            return redirect("agent:ticket", pk=ticket.pk)
    else:
        messages.error(request, "That did not work — see the form for details.")
    # The agent may have just escalated the ticket out of their own reach: then back to the queue.
    try:
        ticket = ticket_for(request.user, pk)
    except Http404:
        if request.htmx:
            response = HttpResponse(status=204)
            response["HX-Redirect"] = "/agent/"
            return response
        return redirect("agent:queue")
    context = _page_context(request, ticket, failed=None if ok else {action.removesuffix("_resolve"): form})
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
