"""Macros (canned replies): which ones an agent may use, rendering their placeholders, applying them.

Placeholders are a fixed substitution of three names, never a template: {{ customer_name }},
{{ ticket_number }}, {{ agent_name }}. Whatever else is in the body stays as written, and the values are
plain text (the reply box and e-mails escape them like any reply).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from helpdesk.events import event_record
from helpdesk.models import Agent, Macro, Message, Priority, Status, Ticket
from helpdesk.permissions import agent_of, agent_team_ids, can_work_ticket
from helpdesk.services import errors
from helpdesk.services.changes import ticket_status_change
from helpdesk.services.messages import message_add
from helpdesk.services.tags import tag_names_clean, ticket_set_tags
from helpdesk.services.tickets import ticket_escalate, ticket_set_priority

PLACEHOLDER = re.compile(r"\{\{\s*(customer_name|ticket_number|agent_name)\s*\}\}")
MACRO_STATUSES = (Status.OPEN, Status.PENDING, Status.ON_HOLD, Status.RESOLVED)
ERR_NO_SUCH_MACRO = "There is no macro {macro!r} you can use."


def macros_for(user: AbstractBaseUser) -> QuerySet[Macro]:
    """Shared macros for everyone or the agent's teams, and the agent's own; most used first."""
    agent = agent_of(user)
    shared = Q(owner__isnull=True) & (
        Q(team__isnull=True) | Q(team_id__in=agent_team_ids(agent) if agent else [])
    )
    if agent is not None and agent.sees_all_tickets:
        shared = Q(owner__isnull=True)
    reach = shared | Q(owner=agent) if agent is not None else shared
    return (
        Macro.objects.filter(reach, is_active=True)
        .select_related("team", "owner__user")
        .order_by("-usage_count", "name", "id")
    )


def macro_for(user: AbstractBaseUser, macro: int | str) -> Macro:
    """A macro the user may use, by id or exact name; ValidationError naming the field otherwise."""
    macros = macros_for(user)
    found = None
    if isinstance(macro, int) or (isinstance(macro, str) and macro.isdigit()):
        found = macros.filter(pk=int(macro)).first()
    if found is None and isinstance(macro, str):
        found = macros.filter(name__iexact=macro.strip()).first()
    if found is None:
        raise ValidationError({"macro": [ERR_NO_SUCH_MACRO.format(macro=str(macro)[:100])]})
    return found


def macro_render(macro: Macro, *, ticket: Ticket, agent_user: AbstractBaseUser) -> str:
    """The body with its placeholders filled in: the customer's first name (or full name, or "there"),
    the ticket number, the agent's first name."""
    customer = ticket.customer
    values = {
        "customer_name": customer.first_name or customer.get_full_name() or "there",
        "ticket_number": f"#{ticket.pk}",
        "agent_name": agent_user.first_name or agent_user.get_full_name() or agent_user.get_username(),
    }
    return PLACEHOLDER.sub(lambda m: values[m.group(1)], macro.body)


def macro_check(macro: Macro) -> None:
    """The admin's and the personal form's validation of what a macro does."""
    problems: dict[str, list[str]] = {}
    if macro.set_status and macro.set_status not in MACRO_STATUSES:
        problems["set_status"] = [f"Choose one of: {', '.join(MACRO_STATUSES)} (or leave it empty)."]
    if macro.set_priority and macro.set_priority not in Priority.values:
        problems["set_priority"] = [f"Choose one of: {', '.join(Priority.values)} (or leave it empty)."]
    if macro.escalate and macro.escalate != "hierarchical":
        problems["escalate"] = ["Only hierarchical (to the next tier) can be set, or leave it empty."]
    try:
        macro.add_tags = tag_names_clean(macro.add_tags or [])
    except ValidationError as exc:
        problems["add_tags"] = exc.message_dict["tags"]
    if problems:
        raise ValidationError(problems)


def macro_save(*, macro: Macro) -> Macro:
    macro_check(macro)
    macro.save()
    return macro


@dataclass(frozen=True)
class MacroResult:
    ticket: Ticket
    message: Message | None
    body: str


def macro_apply(
    *, ticket: Ticket, macro: Macro, actor: AbstractBaseUser, send: bool = True, body: str | None = None
) -> MacroResult:
    """Apply a macro to a ticket: post its reply (or note) unless `send` is False (the reply box only
    wants the text), then its tags, priority, status and escalation. Counts its use.

    `body` replaces the rendered text (the agent edited it before sending)."""
    if not can_work_ticket(actor, ticket):
        raise PermissionDenied(errors.ERR_NOT_YOUR_TICKET)
    text = macro_render(macro, ticket=ticket, agent_user=actor) if body is None else body
    message = None
    with transaction.atomic():
        if send:
            if text.strip():
                message = message_add(ticket=ticket, author=actor, body=text, internal=macro.internal)
            if macro.add_tags:
                ticket_set_tags(ticket=ticket, names=macro.add_tags, actor=actor, add_only=True)
            if macro.set_priority and macro.set_priority != ticket.priority:
                ticket = ticket_set_priority(
                    ticket=ticket, priority=macro.set_priority, actor=actor, reason=f"Macro {macro.name}."
                )
            if macro.escalate:
                ticket = ticket_escalate(
                    ticket=ticket, kind=macro.escalate, actor=actor, reason=f"Macro {macro.name}."
                )
            if macro.set_status:
                ticket.refresh_from_db(fields=["status"])
                ticket = ticket_status_change(
                    ticket=ticket, status=macro.set_status, actor=actor, reason=f"Macro {macro.name}."
                )
            event_record(
                ticket=ticket,
                code="macro.applied",
                actor=actor,
                to_value=macro.name[:40],
                details={"macro_id": macro.pk, "message_id": message.pk if message else None},
            )
        Macro.objects.filter(pk=macro.pk).update(
            usage_count=F("usage_count") + 1, last_used_at=timezone.now()
        )
    return MacroResult(ticket=ticket, message=message, body=text)


def macro_create_personal(*, agent: Agent, name: str, body: str) -> Macro:
    name, body = (name or "").strip(), (body or "").strip()
    problems = {}
    if not name:
        problems["name"] = ["Give the macro a name."]
    if not body:
        problems["body"] = ["Write the reply the macro fills in."]
    if problems:
        raise ValidationError(problems)
    return macro_save(macro=Macro(name=name[:100], body=body, owner=agent))


DEMO_MACROS = [
    {
        "name": "Thanks for waiting",
        "body": "Hi {{ customer_name }},\n\nthanks for waiting on {{ ticket_number }}. This is fixed now; "
        "please tell us if anything still looks wrong.\n\nBest,\n{{ agent_name }}",
        "set_status": Status.RESOLVED,
    },
    {
        "name": "Need a screenshot",
        "body": "Hi {{ customer_name }}, could you send a screenshot of the error and the time it happened? "
        "That lets us find it in the logs for {{ ticket_number }}.",
        "set_status": Status.PENDING,
    },
    {
        "name": "Refund on its way",
        "body": "Hi {{ customer_name }},\n\nthe refund for {{ ticket_number }} is on its way; it shows on your "
        "statement within 5 business days.\n\n{{ agent_name }}",
        "set_status": Status.PENDING,
        "add_tags": ["refund"],
    },
    {
        "name": "Hand to tier 2",
        "body": "Reproduced; details above. Handing to tier 2.",
        "internal": True,
        "escalate": "hierarchical",
    },
]


def macros_seed_demo() -> int:
    """The demo's shared macros (once; edited ones are left alone)."""
    created = 0
    for spec in DEMO_MACROS:
        _, made = Macro.objects.get_or_create(name=spec["name"], owner=None, defaults=spec)
        created += made
    return created
