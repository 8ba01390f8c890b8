"""Pages of the e-mail channel: the one-click rating landing page, and an e-mail's whole original."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_http_methods

from helpdesk.mail.rating import ERR_LINK_BAD, ERR_LINK_EXPIRED, ticket_for_rating_token
from helpdesk.models import Csat, InboundEmail, Message, Ticket
from helpdesk.selectors import ticket_for
from helpdesk.services.csat import csat_add_comment, csat_submit
from helpdesk.views.decorators import agent_required


class RatingCommentForm(forms.Form):
    comment = forms.CharField(
        label="Anything you want to tell us? (optional)",
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


@require_http_methods(["GET", "POST"])
def rate_link(request: HttpRequest, token: str) -> HttpResponse:
    """Opened from the resolved e-mail: records `?score=` once, then offers a comment (POST)."""
    try:
        ticket = ticket_for_rating_token(token)
    except signing.SignatureExpired:
        return render(request, "mail/rate.html", {"error": ERR_LINK_EXPIRED}, status=410)
    except (signing.BadSignature, Ticket.DoesNotExist, KeyError, TypeError):
        return render(request, "mail/rate.html", {"error": ERR_LINK_BAD}, status=404)
    context: dict = {"ticket": ticket, "token": token, "portal_url": f"{settings.HELPDESK_BASE_URL}/portal/"}
    if request.method == "POST":
        form = RatingCommentForm(request.POST)
        csat = Csat.objects.filter(ticket=ticket).first()
        if csat is None:
            return render(
                request, "mail/rate.html", {**context, "error": "Choose a score first."}, status=400
            )
        if form.is_valid():
            try:
                csat_add_comment(csat=csat, comment=form.cleaned_data["comment"])
            except ValidationError as exc:
                form.add_error("comment", exc.messages)
            else:
                return render(request, "mail/rate.html", {**context, "csat": csat, "thanked": True})
        return render(request, "mail/rate.html", {**context, "csat": csat, "form": form}, status=400)

    csat = Csat.objects.filter(ticket=ticket).first()
    already = csat is not None
    if csat is None:
        try:
            score = int(request.GET.get("score", ""))
        except ValueError:
            score = 0
        try:
            csat = csat_submit(ticket=ticket, customer=ticket.customer, score=score)
        except ValidationError as exc:
            return render(request, "mail/rate.html", {**context, "error": " ".join(exc.messages)}, status=400)
    return render(
        request,
        "mail/rate.html",
        {**context, "csat": csat, "already": already, "form": None if csat.comment else RatingCommentForm()},
    )


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
