"""The workspace around the queue and the ticket page: bulk actions, saved views, macros in the reply
box, and the ticket actions for tags, links, merging and following (dispatched by agent.ticket_action)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_POST

from helpdesk.forms import BulkForm, LinkForm, MergeForm, SavedViewForm, TagsForm, queue_request, run_service
from helpdesk.models import Message, SavedView, Team
from helpdesk.permissions import agent_team_ids
from helpdesk.selectors import agent_queue, ticket_for
from helpdesk.services.bulk import MAX_BULK, tickets_bulk
from helpdesk.services.collaboration import ticket_follow
from helpdesk.services.macros import macro_for, macro_render
from helpdesk.services.merge import ticket_link, ticket_merge
from helpdesk.services.tags import ticket_set_tags
from helpdesk.services.views import saved_view_create, saved_view_delete
from helpdesk.views.decorators import agent_required

# --- the queue: bulk actions and saved views ------------------------------------------------------


def _bulk_value(action: str, raw: str):
    raw = (raw or "").strip()
    if action == "assign":
        return raw or None
    if action == "escalate":
        return {"reason": raw}
    return raw


@agent_required
@require_POST
def queue_bulk(request: HttpRequest) -> HttpResponse:
    """The queue's bulk bar. With "all matching", the queue's own query string (sent along) decides
    which tickets, up to MAX_BULK."""
    form = BulkForm(request.POST)
    query = request.POST.get("query", "")
    back = "/agent/" + (("?" + query.lstrip("?")) if query else "")
    if not form.is_valid():
        messages.error(request, "Choose an action for the selected tickets.")
        return redirect(back)
    action = form.cleaned_data["action"]
    if form.cleaned_data["all_matching"]:
        shown = queue_request(request.agent, QueryDict(query.lstrip("?")))
        tickets = agent_queue(agent=request.agent, queue=shown.queue, filters=shown.filters, sort=shown.sort)
        ids = list(tickets.values_list("pk", flat=True)[:MAX_BULK])
    else:
        ids = form.cleaned_data["ids"]
    try:
        results = tickets_bulk(
            actor=request.user, ids=ids, action=action, value=_bulk_value(action, form.cleaned_data["value"])
        )
    except ValidationError as exc:
        problems = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
        messages.error(request, " ".join(m for ms in problems.values() for m in ms))
        return redirect(back)
    done = [r for r in results if r.ok]
    failed = [r for r in results if not r.ok]
    if done:
        messages.success(
            request, f"{dict(BulkForm.base_fields['action'].choices)[action]}: {len(done)} ticket(s) done."
        )
    for result in failed[:10]:
        reasons = " ".join(m for ms in result.errors.values() for m in ms)
        messages.error(request, f"#{result.id}: {reasons}")
    if len(failed) > 10:
        messages.error(request, f"… and {len(failed) - 10} more not changed.")
    return redirect(back)


@agent_required
@require_POST
def saved_view_save(request: HttpRequest) -> HttpResponse:
    agent = request.agent
    teams = Team.objects.filter(pk__in=agent_team_ids(agent)) if agent.sees_all_tickets else None
    form = SavedViewForm(request.POST, teams=teams)
    query = request.POST.get("query", "").lstrip("?")
    if form.is_valid() and run_service(
        form,
        lambda: saved_view_create(
            agent=agent,
            name=form.cleaned_data["name"],
            query=query,
            shared_with=form.cleaned_data.get("share_with"),
        ),
    ):
        messages.success(request, f"Saved the view “{form.cleaned_data['name']}”.")
        view = SavedView.objects.filter(owner=agent).order_by("-id").first()
        return redirect(
            f"/agent/?{query}&{urlencode({'view': view.pk})}" if query else f"/agent/?view={view.pk}"
        )
    messages.error(request, "Give the view a name (up to 60 characters).")
    return redirect("/agent/" + (f"?{query}" if query else ""))


@agent_required
@require_POST
def saved_view_remove(request: HttpRequest, pk: int) -> HttpResponse:
    view = get_object_or_404(SavedView, pk=pk)
    try:
        saved_view_delete(view=view, agent=request.agent)
    except PermissionDenied:
        raise Http404("No such view.") from None
    messages.success(request, f"Removed the view “{view.name}”.")
    return redirect("agent:queue")


# --- the reply box: macros ------------------------------------------------------------------------


@agent_required
@require_GET
def macro_fill(request: HttpRequest, pk: int) -> HttpResponse:
    """The reply box's text area filled from a macro (htmx swaps it in); the macro's id rides along so
    that sending the reply also makes the macro's changes."""
    ticket = ticket_for(request.user, pk)
    chosen = request.GET.get("macro", "")
    body, macro = "", None
    if chosen:
        try:
            macro = macro_for(request.user, chosen)
        except ValidationError:
            macro = None
        if macro is not None:
            body = macro_render(macro, ticket=ticket, agent_user=request.user)
    return render(request, "agent/_reply_text.html", {"body": body, "macro": macro, "ticket": ticket})


# --- ticket actions (dispatched by agent.ticket_action) --------------------------------------------


def prefixed(request: HttpRequest, prefix: str) -> str | None:
    """The form prefix the page uses, or none for clients that post plain field names."""
    return prefix if any(key.startswith(prefix + "-") for key in request.POST) else None


def tags_action(request, ticket):
    form = TagsForm(request.POST, prefix=prefixed(request, "tags"))
    ok = form.is_valid() and run_service(
        form, lambda: ticket_set_tags(ticket=ticket, names=form.cleaned_data["tags"], actor=request.user)
    )
    return form, ok is not None and ok is not False


def link_action(request, ticket):
    form = LinkForm(request.POST, prefix=prefixed(request, "link"))
    if not form.is_valid():
        return form, False
    try:
        target = ticket_for(request.user, form.cleaned_data["target"])
    except Http404:
        form.add_error("target", "No such ticket (or not one you can see).")
        return form, False
    ok = run_service(
        form,
        lambda: ticket_link(source=ticket, target=target, kind=form.cleaned_data["kind"], actor=request.user),
    )
    return form, bool(ok)


def merge_action(request, ticket):
    form = MergeForm(request.POST, prefix=prefixed(request, "merge"))
    if not form.is_valid():
        return form, False
    try:
        target = ticket_for(request.user, form.cleaned_data["into"])
    except Http404:
        form.add_error("into", "No such ticket (or not one you can see).")
        return form, False
    ok = run_service(form, lambda: ticket_merge(source=ticket, target=target, actor=request.user))
    return form, bool(ok)


def follow_action(request, ticket):
    form = forms.Form(request.POST)
    follow = request.POST.get("follow", "1") == "1"
    ticket_follow(ticket=ticket, user=request.user, follow=follow)
    return form, True


def newer_messages(ticket, *, seen: int | None, user) -> int:
    """Messages others added since the page showed message `seen` (0 when the page said nothing)."""
    if not seen:
        return 0
    return Message.objects.filter(ticket=ticket, pk__gt=seen).exclude(author=user).count()
