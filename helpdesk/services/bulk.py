"""Bulk actions from the queue and the API: one action on many tickets, each ticket on its own.

Every ticket goes through the same service as a single change (so each one's event log records it, and
team, status and capacity rules hold); one refused ticket does not stop the others. The answer lists
each ticket's outcome.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404

from helpdesk.models import Ticket
from helpdesk.selectors import ticket_for
from helpdesk.services.changes import agent_by_username, assignment_check, ticket_status_change
from helpdesk.services.merge import ticket_merge
from helpdesk.services.tags import tag_names_clean, ticket_set_tags
from helpdesk.services.tickets import ticket_assign, ticket_escalate, ticket_set_priority

ACTIONS = ("assign", "status", "priority", "tags", "escalate", "merge")
MAX_BULK = 500
ERR_NOT_FOUND = "No such ticket (or not one you can see)."


@dataclass
class BulkResult:
    id: int
    ok: bool
    errors: dict[str, list[str]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        row: dict[str, Any] = {"id": self.id, "ok": self.ok}
        if self.errors:
            row["errors"] = self.errors
        return row


def bulk_value_check(*, action: str, value: Any, actor: AbstractBaseUser) -> Any:
    """The action's value, checked once for all tickets: ValidationError({"value": ...}) when wrong."""
    if action not in ACTIONS:
        raise ValidationError({"action": [f"Choose one of: {', '.join(ACTIONS)}."]})
    if action == "assign":
        if value in (None, ""):
            return None
        if value == "me":
            value = actor.get_username()
        if not isinstance(value, str):
            raise ValidationError({"value": ['Give the agent\'s username, "me", or null to unassign.']})
        try:
            return agent_by_username(value)
        except ValidationError as exc:
            raise ValidationError({"value": exc.message_dict["assignee"]}) from exc
    if action in ("status", "priority"):
        if not isinstance(value, str) or not value:
            raise ValidationError({"value": [f"Give the new {action}."]})
        return value
    if action == "tags":
        try:
            names = tag_names_clean(value if isinstance(value, (list, str)) else [value])
        except ValidationError as exc:
            raise ValidationError({"value": exc.message_dict["tags"]}) from exc
        if not names:
            raise ValidationError({"value": ["Give at least one tag."]})
        return names
    if action == "escalate":
        spec = value if isinstance(value, dict) else {"reason": value}
        reason = spec.get("reason")
        if not isinstance(reason, str) or not reason.strip():
            raise ValidationError({"value": ['Say why you are escalating (value: {"reason": ...}).']})
        kind = spec.get("kind", "hierarchical")
        if kind not in ("hierarchical", "functional"):
            raise ValidationError({"value": ["kind is hierarchical or functional."]})
        return {"kind": kind, "reason": reason.strip()[:2000]}
    # merge: the ticket the others are merged into
    try:
        into = int(value)
    except (TypeError, ValueError):
        raise ValidationError({"value": ["Give the number of the ticket to merge into."]}) from None
    try:
        return ticket_for(actor, into)
    except Http404:
        raise ValidationError({"value": [ERR_NOT_FOUND]}) from None


def _one(*, ticket: Ticket, action: str, value: Any, actor: AbstractBaseUser) -> None:
    reason = "Bulk action."
    if action == "assign":
        if value is not None:
            assignment_check(ticket=ticket, agent=value, actor=actor)
        ticket_assign(ticket=ticket, agent=value, actor=actor, reason=reason)
    elif action == "status":
        ticket_status_change(ticket=ticket, status=value, actor=actor, reason=reason)
    elif action == "priority":
        ticket_set_priority(ticket=ticket, priority=value, actor=actor, reason=reason)
    elif action == "tags":
        ticket_set_tags(ticket=ticket, names=value, actor=actor, add_only=True)
    elif action == "escalate":
        ticket_escalate(ticket=ticket, kind=value["kind"], actor=actor, reason=value["reason"])
    elif action == "merge":
        ticket_merge(source=ticket, target=value, actor=actor)


def tickets_bulk(*, actor: AbstractBaseUser, ids: list[int], action: str, value: Any) -> list[BulkResult]:
    """Apply `action` with `value` to each ticket the actor may work; one result per id, in order."""
    if not ids:
        raise ValidationError({"ids": ["Select at least one ticket."]})
    if len(ids) > MAX_BULK:
        raise ValidationError({"ids": [f"At most {MAX_BULK} tickets at once."]})
    checked = bulk_value_check(action=action, value=value, actor=actor)
    results = []
    for pk in dict.fromkeys(ids):
        if action == "merge" and pk == checked.pk:
            continue  # the ticket the others join
        try:
            ticket = ticket_for(actor, pk)
            with transaction.atomic():
                _one(ticket=ticket, action=action, value=checked, actor=actor)
        except Http404:
            results.append(BulkResult(id=pk, ok=False, errors={"id": [ERR_NOT_FOUND]}))
        except PermissionDenied as exc:
            results.append(BulkResult(id=pk, ok=False, errors={"id": [str(exc) or "Not allowed."]}))
        except ValidationError as exc:
            messages = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
            results.append(BulkResult(id=pk, ok=False, errors=messages))
        else:
            results.append(BulkResult(id=pk, ok=True))
    return results
