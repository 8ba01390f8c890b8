"""The customer portal: submit, follow, reply, copy colleagues, rate.

Customers see their own tickets, those they are copied on, and — admins of an organization that shares
its tickets — their organization's (helpdesk.permissions.customer_ticket_filter); agents visiting the
portal see only their own, as any customer would.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation.trans_real import parse_accept_lang_header
from django.views.decorators.http import require_POST

from helpdesk.abuse.quotas import ticket_quota_message, ticket_quota_wait
from helpdesk.forms import CcForm, CsatForm, PortalSortForm, ReplyForm, TicketForm, run_service
from helpdesk.models import Channel, Csat, Status, Ticket
from helpdesk.permissions import customer_ticket_filter, shared_organization_id
from helpdesk.selectors import ticket_conversation
from helpdesk.services import csat_submit, message_add, ticket_create
from helpdesk.services.ccs import cc_candidates, ticket_cc_add, ticket_cc_remove, ticket_ccs
from helpdesk.services.csat import LOW_SCORE, csat_revise
from helpdesk.services.idempotency import KeyReused, request_fingerprint, ticket_create_once

PORTAL_SORTS = {"updated": "-updated_at", "created": "-created_at"}

ERR_FORM_ALREADY_SENT = (
    "This form was already sent and made a ticket (see My tickets). To ask something else, open a new form."
)


def _portal_tickets(request: HttpRequest) -> QuerySet[Ticket]:
    return Ticket.objects.filter(customer_ticket_filter(request.user))


def _portal_ticket(request: HttpRequest, pk: int) -> Ticket:
    """A ticket this customer may follow in the portal, or 404."""
    return get_object_or_404(_portal_tickets(request).select_related("csat", "customer"), pk=pk)


def portal_language(request: HttpRequest) -> str | None:
    """The language the customer uses the portal in (their browser's first choice), if they sent one —
    any language, not only those the portal's pages are translated into."""
    header = request.headers.get("Accept-Language")
    if not header:
        return None
    choices = [code for code, _quality in parse_accept_lang_header(header) if code != "*"]
    return choices[0] if choices else translation.get_language_from_request(request)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    sort_form = PortalSortForm(request.GET)
    sort = (sort_form.cleaned_data.get("sort") if sort_form.is_valid() else "") or "updated"
    tickets = (
        _portal_tickets(request).select_related("category", "customer").order_by(PORTAL_SORTS[sort], "-pk")
    )
    page = Paginator(tickets, 20).get_page(request.GET.get("page"))
    return render(
        request,
        "portal/home.html",
        {
            "page": page,
            "sort": sort,
            "shared": shared_organization_id(request.user) is not None,
        },
    )


@login_required
def ticket_new(request: HttpRequest) -> HttpResponse:
    initial = {"subject": request.GET.get("subject", "")[:200]}
    form = TicketForm(request.POST or None, request.FILES or None, initial=initial)
    wait = ticket_quota_wait(customer=request.user) if request.method == "POST" else 0
    if wait:  # too many new tickets: the form comes back with what was typed, and says when to try again
        form.is_valid()
        form.add_error(None, ticket_quota_message(wait))
        response = render(request, "portal/ticket_new.html", {"form": form}, status=429)
        response["Retry-After"] = str(wait)
        return response
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data

        def create():
            return ticket_create(
                customer=request.user,
                subject=d["subject"],
                body=d["body"],
                category=d["category"],
                channel=Channel.PORTAL,
                attachments=form.cleaned_data["attachments"],
                portal_language=portal_language(request),
            )

        if d["once"]:
            fingerprint = request_fingerprint(
                {"subject": d["subject"], "body": d["body"], "category": d["category"] and d["category"].pk}
            )

            def create_once():
                try:
                    return ticket_create_once(
                        user=request.user, key=f"portal:{d['once']}", fingerprint=fingerprint, create=create
                    )[0]
                except KeyReused:
                    raise ValidationError(ERR_FORM_ALREADY_SENT) from None

            ticket = run_service(form, create_once)
        else:
            ticket = run_service(form, create)
        if ticket is not None:
            return redirect("portal:ticket_submitted", pk=ticket.pk)
    return render(request, "portal/ticket_new.html", {"form": form}, status=400 if form.errors else 200)


@login_required
def ticket_submitted(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "portal/ticket_submitted.html", {"ticket": _portal_ticket(request, pk)})


def _detail_context(request: HttpRequest, ticket: Ticket, **forms) -> dict:
    csat = getattr(ticket, "csat", None) if hasattr(ticket, "csat") else None
    return {
        "ticket": ticket,
        "conversation": ticket_conversation(ticket, include_internal=False),
        "reply_form": forms.get("reply_form") or ReplyForm(),
        "csat_form": forms.get("csat_form") or CsatForm(),
        "cc_form": forms.get("cc_form") or CcForm(candidates=cc_candidates(ticket)),
        "ccs": ticket_ccs(ticket),
        "can_reply": ticket.status != Status.CLOSED,
        "can_rate": ticket.customer_id == request.user.pk and ticket.can_be_rated(),
        "csat": csat,
    }


@login_required
def ticket_detail(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = _portal_ticket(request, pk)
    return render(request, "portal/ticket_detail.html", _detail_context(request, ticket))


@login_required
@require_POST
def ticket_reply(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = _portal_ticket(request, pk)
    form = ReplyForm(request.POST, request.FILES)
    if form.is_valid() and run_service(
        form,
        lambda: message_add(
            ticket=ticket,
            author=request.user,
            body=form.cleaned_data["body"],
            channel=Channel.PORTAL,
            attachments=form.cleaned_data["attachments"],
        ),
    ):
        messages.success(request, _("Your reply was sent."))
        return redirect("portal:ticket_detail", pk=ticket.pk)
    ticket.refresh_from_db()
    return render(
        request, "portal/ticket_detail.html", _detail_context(request, ticket, reply_form=form), status=400
    )


@login_required
@require_POST
def ticket_cc(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a colleague to the ticket's copies (or, with `remove=<e-mail>`, take someone off)."""
    ticket = _portal_ticket(request, pk)
    if "remove" in request.POST:
        email = request.POST.get("remove", "").strip()[:254]
        if email:
            ticket_cc_remove(ticket=ticket, email=email, removed_by=request.user)
            messages.success(request, _("%(name)s is no longer copied on this ticket.") % {"name": email})
        return redirect("portal:ticket_detail", pk=ticket.pk)
    form = CcForm(request.POST, candidates=cc_candidates(ticket))
    if form.is_valid():
        user = get_user_model().objects.get(pk=form.cleaned_data["user"])
        if run_service(form, lambda: ticket_cc_add(ticket=ticket, user=user, added_by=request.user)):
            messages.success(request, _("%(name)s is now copied on this ticket.") % {"name": user.email})
            return redirect("portal:ticket_detail", pk=ticket.pk)
    return render(
        request, "portal/ticket_detail.html", _detail_context(request, ticket, cc_form=form), status=400
    )


def _own_rateable(request: HttpRequest, pk: int) -> Ticket:
    """Only the requester rates a ticket."""
    return get_object_or_404(Ticket.objects.select_related("csat"), pk=pk, customer=request.user)


@login_required
def ticket_rate(request: HttpRequest, pk: int) -> HttpResponse:
    """The rating page. GET ?score=N (the link in the satisfaction e-mail) records N at once — one click —
    and then offers a comment and, for a low score, asks what went wrong. POST rates or revises."""
    ticket = _own_rateable(request, pk)
    csat: Csat | None = getattr(ticket, "csat", None) if hasattr(ticket, "csat") else None
    if request.method == "GET":
        form = CsatForm(request.GET) if "score" in request.GET else CsatForm()
        if "score" in request.GET and form.is_valid() and csat is None:
            csat = run_service(
                form,
                lambda: csat_submit(ticket=ticket, customer=request.user, score=form.cleaned_data["score"]),
            )
            if csat is not None:
                return redirect("portal:ticket_rated", pk=ticket.pk)
        if csat is not None:
            return redirect("portal:ticket_rated", pk=ticket.pk)
        return render(
            request,
            "portal/rate.html",
            {"ticket": ticket, "csat_form": form, "low": LOW_SCORE},
            status=400 if form.errors else 200,
        )
    form = CsatForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        if csat is None:
            action = lambda: csat_submit(  # noqa: E731
                ticket=ticket,
                customer=request.user,
                score=data["score"],
                comment=data["comment"],
                what_went_wrong=data["what_went_wrong"],
            )
        else:
            action = lambda: csat_revise(  # noqa: E731
                csat=csat,
                customer=request.user,
                score=data["score"],
                comment=data["comment"],
                what_went_wrong=data["what_went_wrong"],
            )
        if run_service(form, action):
            return redirect("portal:ticket_rated", pk=ticket.pk)
    return render(
        request,
        "portal/rate.html",
        {"ticket": ticket, "csat_form": form, "low": LOW_SCORE},
        status=400,
    )


@login_required
def ticket_rated(request: HttpRequest, pk: int) -> HttpResponse:
    """Thanks — with the comment box still open, and "What went wrong?" after a low score."""
    ticket = _own_rateable(request, pk)
    csat = getattr(ticket, "csat", None) if hasattr(ticket, "csat") else None
    if csat is None:
        return redirect("portal:ticket_rate", pk=ticket.pk)
    form = CsatForm(
        initial={"score": csat.score, "comment": csat.comment, "what_went_wrong": csat.what_went_wrong}
    )
    return render(
        request,
        "portal/rated.html",
        {"ticket": ticket, "csat": csat, "csat_form": form, "low": LOW_SCORE},
    )
