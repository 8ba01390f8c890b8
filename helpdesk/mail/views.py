"""Pages of the e-mail channel: the one-click rating link (landing on the portal's rating pages), and an
e-mail's whole original."""

from __future__ import annotations

from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from helpdesk.forms import CsatForm, run_service
from helpdesk.locale import customer_language
from helpdesk.mail.rating import ERR_LINK_BAD, ERR_LINK_EXPIRED, ticket_for_rating_token
from helpdesk.models import Csat, InboundEmail, Message, Ticket
from helpdesk.selectors import ticket_for
from helpdesk.services.csat import LOW_SCORE, csat_revise, csat_submit
from helpdesk.views.decorators import agent_required


def _rating_error(
    request: HttpRequest, error: str, status: int, ticket: Ticket | None = None
) -> HttpResponse:
    return render(request, "mail/rate.html", {"error": _(error), "ticket": ticket}, status=status)


@require_http_methods(["GET", "POST"])
def rate_link(request: HttpRequest, token: str) -> HttpResponse:
    """The rating link of the resolved e-mail, landing on the portal's own thanks page.

    GET `?score=N` records N at once (one click, no password) — once: a second click records nothing
    and says so. The page is the portal's (portal/rated.html): thanks, the comment box, and "What went
    wrong?" after a low score; its form posts back here, under the same signed link, and the link's
    ticket and customer stand for the signed-in customer the portal would ask for."""
    try:
        ticket = ticket_for_rating_token(token)
    except signing.SignatureExpired:
        return _rating_error(request, ERR_LINK_EXPIRED, 410)
    except (signing.BadSignature, Ticket.DoesNotExist, KeyError, TypeError):
        return _rating_error(request, ERR_LINK_BAD, 404)
    with translation.override(customer_language(ticket.customer, ticket)):
        return _rate(request, ticket, token)


def _rate(request: HttpRequest, ticket: Ticket, token: str) -> HttpResponse:
    csat = Csat.objects.filter(ticket=ticket).first()
    if request.method == "POST":
        form = CsatForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            words = {"comment": data["comment"], "what_went_wrong": data["what_went_wrong"]}
            if csat is None:
                action = lambda: csat_submit(  # noqa: E731
                    ticket=ticket, customer=ticket.customer, score=data["score"], **words
                )
            else:
                action = lambda: csat_revise(  # noqa: E731
                    csat=csat, customer=ticket.customer, score=data["score"], **words
                )
            if run_service(form, action):
                return redirect(reverse("rate_link", args=[token]))
        if csat is None:
            return render(
                request, "portal/rate.html", {**_page(ticket, token), "csat_form": form}, status=400
            )
        return render(
            request, "portal/rated.html", {**_page(ticket, token, csat), "csat_form": form}, status=400
        )

    already = False
    if "score" in request.GET:
        if csat is None:
            form = CsatForm(request.GET)
            if form.is_valid():
                csat = run_service(
                    form,
                    lambda: csat_submit(
                        ticket=ticket, customer=ticket.customer, score=form.cleaned_data["score"]
                    ),
                )
            if csat is None:  # not a score, or the ticket cannot be rated (any more)
                if not ticket.can_be_rated():
                    return _rating_error(
                        request, " ".join(form.errors.get("score", [])) or ERR_LINK_BAD, 400, ticket
                    )
                return render(
                    request, "portal/rate.html", {**_page(ticket, token), "csat_form": form}, status=400
                )
        else:
            already = True  # the link rates once
    if csat is None:
        return render(request, "portal/rate.html", {**_page(ticket, token), "csat_form": CsatForm()})
    form = CsatForm(
        initial={"score": csat.score, "comment": csat.comment, "what_went_wrong": csat.what_went_wrong}
    )
    return render(
        request, "portal/rated.html", {**_page(ticket, token, csat), "csat_form": form, "already": already}
    )


def _page(ticket: Ticket, token: str, csat: Csat | None = None) -> dict:
    """What the portal's rating pages need, with their form posting to the signed link."""
    return {
        "ticket": ticket,
        "csat": csat,
        "low": LOW_SCORE,
        "form_action": reverse("rate_link", args=[token]),
    }


@agent_required
def email_original(request: HttpRequest, pk: int) -> HttpResponse:
    """The whole e-mail a message came from (headers, full text, sanitised HTML), or the raw .eml."""
    message = get_object_or_404(Message, pk=pk)
    ticket = ticket_for(request.user, message.ticket_id)  # 404 unless the agent may see the ticket
    inbound = InboundEmail.objects.filter(message=message).order_by("received_at").first()
    if inbound is None:
        raise Http404("No e-mail is kept for this message.")
    if request.GET.get("raw"):
        response = HttpResponse(bytes(inbound.raw), content_type="message/rfc822")
        response["Content-Disposition"] = (
            f'attachment; filename="ticket-{ticket.pk}-message-{message.pk}.eml"'
        )
        return response
    headers = [
        line
        for line in bytes(inbound.raw)
        .split(b"\r\n\r\n" if b"\r\n\r\n" in bytes(inbound.raw) else b"\n\n", 1)[0]
        .decode("utf-8", errors="replace")
        .splitlines()
    ]
    return render(
        request,
        "mail/original.html",
        {"ticket": ticket, "message": message, "inbound": inbound, "headers": headers},
    )
