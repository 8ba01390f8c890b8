"""HTML forms for the portal and the agent workspace. They validate input; services do the work."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TypeVar

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from helpdesk.models import Agent, AgentStatus, Category, LinkKind, Priority, Status, Team, Tier
from helpdesk.models.tickets import SATISFACTION_LABELS
from helpdesk.selectors import QUEUES, SORTS, QueueFilters
from helpdesk.services import errors

T = TypeVar("T")


def run_service(form: forms.Form, action: Callable[[], T]) -> T | None:
    """Call a service; turn its ValidationError (or a refusal) into errors on the form (None means it
    failed)."""
    try:
        return action()
    except PermissionDenied as exc:
        form.add_error(None, str(exc) or "You are not allowed to do this.")
        return None
    except ValidationError as exc:
        messages = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        for field, field_messages in messages.items():
            # Domain messages are English msgids (helpdesk.services.errors): shown in the reader's language.
            form.add_error(field if field in form.fields else None, [gettext(m) for m in field_messages])
        return None


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files under one name; checked for size and type by the attachments service."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"multiple": True}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


def attachments_field() -> MultipleFileField:
    return MultipleFileField(
        label=_("Attach files"),
        help_text=_("Screenshots, logs or documents, up to %(mb)s MB each.")
        % {"mb": settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)},
    )


class TicketForm(forms.Form):
    subject = forms.CharField(
        label=_("Subject"),
        max_length=settings.TICKET_SUBJECT_MAX,
        error_messages={"required": _(errors.ERR_SUBJECT_REQUIRED)},
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    body = forms.CharField(
        label=_("Description"),
        max_length=settings.TICKET_BODY_MAX,
        error_messages={"required": _(errors.ERR_BODY_REQUIRED)},
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("What happened, what you expected, and anything you already tried."),
    )
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=Category.objects.filter(customer_selectable=True),
        required=False,
        empty_label=_("Not sure — let us work it out"),
    )
    # A one-time token per form shown: a second submit of the same form (a double click, a retry
    # after a timeout) finds the ticket the first one made instead of making another.
    once = forms.CharField(
        required=False, max_length=64, widget=forms.HiddenInput, initial=lambda: uuid.uuid4().hex
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attachments"] = attachments_field()

    def clean_once(self) -> str:
        token = self.cleaned_data["once"]
        return token if token.isascii() and token.isalnum() else ""


def message_field(label: str, rows: int, help_text: str = "") -> forms.CharField:
    """The text of a reply or note. It may stay empty when files are attached, but one of the two is
    needed (the message service says so), so the form does not mark it "(optional)"."""
    field = forms.CharField(
        label=label,
        max_length=settings.TICKET_BODY_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": rows}),
        help_text=help_text,
    )
    field.marked_optional = False  # read by templates/_field.html
    return field


class ReplyForm(forms.Form):
    body = message_field(_("Message"), rows=4)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attachments"] = attachments_field()


# The rating scale as people read it: a face and words for every score, best first.
SCORE_LABELS = SATISFACTION_LABELS


class CsatForm(forms.Form):
    score = forms.TypedChoiceField(
        label=_("How satisfied are you with how we handled this ticket?"),
        choices=list(SCORE_LABELS.items()),
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how satisfied you are.")},
    )
    comment = forms.CharField(
        label=_("Anything you want to tell us?"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    what_went_wrong = forms.CharField(
        label=_("What went wrong?"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Asked when the score is low: tell us, so the same does not happen again."),
    )


class CcForm(forms.Form):
    """Copy a colleague of the same organization on a ticket."""

    user = forms.TypedChoiceField(label=_("Colleague"), coerce=int, choices=())

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].choices = [
            (c.user_id, f"{c.user.get_full_name() or c.user.email} <{c.user.email}>") for c in candidates
        ]


class PortalSortForm(forms.Form):
    sort = forms.ChoiceField(
        choices=[("updated", _("Last update")), ("created", _("Created"))], required=False
    )


class AgentReplyForm(forms.Form):
    body = message_field("Message", rows=5)
    then_status = forms.ChoiceField(
        label="Then set status",
        required=False,
        choices=[
            ("", "Keep status"),
            (Status.PENDING, "Pending customer"),
            (Status.ON_HOLD, "On hold"),
            (Status.RESOLVED, "Resolved"),
        ],
    )
    attachments = MultipleFileField(label="Attach files")
    macro = forms.IntegerField(required=False, widget=forms.HiddenInput)
    seen = forms.IntegerField(required=False, widget=forms.HiddenInput)
    confirm_newer = forms.BooleanField(required=False, widget=forms.HiddenInput)


class NoteForm(forms.Form):
    body = message_field(
        "Internal note", rows=3, help_text="Only agents see notes. Type @username to tell a colleague."
    )
    attachments = MultipleFileField(label="Attach files")


class TagsForm(forms.Form):
    tags = forms.CharField(
        required=False, max_length=1200, label="Tags", help_text="Comma-separated, e.g. refund, vip."
    )


class LinkForm(forms.Form):
    kind = forms.ChoiceField(choices=LinkKind.choices, label="This ticket is")
    target = forms.IntegerField(min_value=1, label="Ticket number")


class MergeForm(forms.Form):
    into = forms.IntegerField(
        min_value=1,
        label="Merge into ticket number",
        help_text="The conversation moves there and the customer is told; this number then leads there.",
    )


class SavedViewForm(forms.Form):
    name = forms.CharField(max_length=60, label="View name")
    share_with = forms.ModelChoiceField(
        queryset=Team.objects.none(), required=False, empty_label="Only me", label="Share with"
    )

    def __init__(self, *args, teams=None, **kwargs):
        super().__init__(*args, **kwargs)
        if teams is None:
            del self.fields["share_with"]
        else:
            self.fields["share_with"].queryset = teams


class BulkForm(forms.Form):
    """The queue's bulk bar: the chosen rows (or every ticket matching the filter) and one action."""

    ids = forms.Field(required=False, widget=forms.MultipleHiddenInput)
    all_matching = forms.BooleanField(required=False)
    action = forms.ChoiceField(
        choices=[
            ("assign", "Assign to"),
            ("status", "Set status"),
            ("priority", "Set priority"),
            ("tags", "Add tags"),
            ("escalate", "Escalate (reason)"),
            ("merge", "Merge into #"),
        ]
    )
    value = forms.CharField(required=False, max_length=2000)

    def clean_ids(self):
        values = self.data.getlist(self.add_prefix("ids")) if hasattr(self.data, "getlist") else []
        return [int(v) for v in values if str(v).isdigit() and len(str(v)) < 19]


class PhoneCallForm(forms.Form):
    direction = forms.ChoiceField(
        choices=[("inbound", "The customer called"), ("outbound", "I called the customer")], initial="inbound"
    )
    summary = forms.CharField(
        label="What was said",
        max_length=settings.TICKET_BODY_MAX - 100,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    internal = forms.BooleanField(label="Agents only (hide from the customer)", required=False)


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=[c for c in Status.choices if c[0] != Status.RESOLVED])
    reason = forms.CharField(required=False, max_length=500)


class AssignForm(forms.Form):
    agent = forms.TypedChoiceField(coerce=int, choices=(), label="Assign to")

    def __init__(self, *args, agents=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agent"].choices = [(a.pk, f"{a} (L{a.tier.level})") for a in agents]


class EscalateForm(forms.Form):
    kind = forms.ChoiceField(
        choices=[
            ("hierarchical", "Hierarchical — to a higher tier"),
            ("functional", "Functional — to another team"),
        ],
        widget=forms.RadioSelect,
        initial="hierarchical",
    )
    team = forms.ModelChoiceField(
        queryset=Team.objects.filter(is_active=True), required=False, empty_label="(keep team)"
    )
    tier = forms.ModelChoiceField(queryset=Tier.objects.all(), required=False, empty_label="(next tier up)")
    reason = forms.CharField(
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What you tried, and what the next person should do.",
        error_messages={"required": errors.ERR_REASON_REQUIRED},
    )


class DeclineForm(forms.Form):
    reason = forms.CharField(
        max_length=2000,
        label="Why are you declining?",
        error_messages={"required": errors.ERR_DECLINE_REASON_REQUIRED},
    )


class ArticleForm(forms.Form):
    """An article written from a ticket; the view prefills it from the ticket and its last agent reply."""

    title = forms.CharField(max_length=200, error_messages={"required": errors.ERR_ARTICLE_TITLE_REQUIRED})
    body = forms.CharField(
        label="Answer",
        max_length=settings.TICKET_BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 12}),
        error_messages={"required": errors.ERR_ARTICLE_BODY_REQUIRED},
        help_text="Write it for the next customer: no names, no account details.",
    )
    categories = forms.ModelMultipleChoiceField(
        queryset=Category.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Automation answers tickets of these categories with this article.",
    )


class ResolveForm(forms.Form):
    reason = forms.CharField(required=False, max_length=2000, label="Resolution note")


class AgentStatusForm(forms.Form):
    status = forms.ChoiceField(choices=AgentStatus.choices)


class QueueFilterForm(forms.Form):
    """The queue's query string. Invalid values are dropped, never a 500."""

    queue = forms.ChoiceField(choices=list(QUEUES.items()), required=False)
    status = forms.ChoiceField(
        choices=[("", "Open (any)"), *Status.choices, ("any", "Any status")], required=False
    )
    priority = forms.ChoiceField(choices=[("", "Any priority"), *Priority.choices], required=False)
    tier = forms.TypedChoiceField(coerce=int, required=False, empty_value=None, choices=())
    team = forms.TypedChoiceField(coerce=int, required=False, empty_value=None, choices=())
    sort = forms.ChoiceField(choices=list(SORTS.items()), required=False)
    page = forms.IntegerField(min_value=1, max_value=100_000, required=False)
    tag = forms.CharField(required=False, max_length=50)
    search = forms.CharField(required=False, max_length=200, label="Search tickets")

    def __init__(self, *args, tiers=(), teams=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tier"].choices = [("", "Any tier"), *[(t.level, str(t)) for t in tiers]]
        self.fields["team"].choices = [("", "Any team"), *[(t.pk, t.name) for t in teams]]

    def cleaned_or_default(self) -> dict:
        """Valid values, with each invalid one replaced by its default."""
        self.is_valid()
        data = {name: self.cleaned_data.get(name) for name in self.fields if name not in self.errors}
        return {
            "queue": data.get("queue") or "",
            "status": data.get("status") or "",
            "priority": data.get("priority") or "",
            "tier": data.get("tier"),
            "team": data.get("team"),
            "sort": data.get("sort") or "",
            "page": data.get("page") or 1,
            "tag": (data.get("tag") or "").strip().lower(),
            "search": (data.get("search") or "").strip(),
        }


@dataclass(frozen=True)
class QueueRequest:
    """What a queue page shows, read from its query string (the page view and the live socket share it)."""

    form: QueueFilterForm
    queue: str
    filters: QueueFilters
    sort: str
    page: int


def queue_request(agent: Agent, data: Mapping) -> QueueRequest:
    teams, tiers = list(Team.objects.filter(is_active=True)), list(Tier.objects.all())
    form = QueueFilterForm(data, tiers=tiers, teams=teams)
    params = form.cleaned_or_default()
    filters = QueueFilters(
        status="" if params["status"] in ("", "any") else params["status"],
        open_only=params["status"] != "any",
        priority=params["priority"],
        tier=params["tier"],
        team=params["team"],
        tag=params["tag"],
        search=params["search"],
    )
    return QueueRequest(
        form=form,
        queue=params["queue"] or ("all" if agent.sees_all_tickets else "team"),
        filters=filters,
        sort=params["sort"] or ("relevance" if params["search"] else "priority"),
        page=params["page"],
    )
