"""The agent's verdict on an automation draft (review band): approve (send it) or discard it.

Plain POST forms from the ticket page's draft panel; both redirect back to the ticket with a message,
and a missing draft or an empty body is reported there, never as an error page.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from escalation.autonomy.outcomes import draft_approve, draft_discard
from helpdesk.forms import run_service
from helpdesk.selectors import ticket_for
from helpdesk.views.decorators import agent_required


class DraftForm(forms.Form):
    body = forms.CharField(
        label="Draft reply", max_length=settings.TICKET_BODY_MAX, required=False, widget=forms.Textarea
    )
    decision = forms.ChoiceField(choices=[("approve", "Approve and send"), ("discard", "Discard")])


@agent_required
@require_POST
def draft_decide(request: HttpRequest, pk: int) -> HttpResponse:
    ticket = ticket_for(request.user, pk)
    form = DraftForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose to approve or discard the draft.")
        return redirect("agent:ticket", pk=ticket.pk)
    if form.cleaned_data["decision"] == "approve":
        done = run_service(
            form,
            lambda: draft_approve(ticket=ticket, agent_user=request.user, body=form.cleaned_data["body"]),
        )
        success = "Draft approved and sent to the customer."
    else:
        done = run_service(form, lambda: draft_discard(ticket=ticket, agent_user=request.user) or True)
        success = "Draft discarded."
    if done:
        messages.success(request, success)
    else:
        errors = [e for field_errors in form.errors.values() for e in field_errors]
        messages.error(request, " ".join(errors) or "That did not work.")
    return redirect("agent:ticket", pk=ticket.pk)
