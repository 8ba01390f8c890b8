"""The page a live socket serves, as the browser describes it in its `subscribe` message.

    {"type": "subscribe", "view": "queue", "query": "?queue=all&sort=newest", "last_event_id": 41}
    {"type": "subscribe", "view": "ticket", "ticket": 12, "last_event_id": 41}   (agent ticket page)
    {"type": "subscribe", "view": "portal", "ticket": 12, "last_event_id": 41}   (customer ticket page)
    {"type": "subscribe", "view": "page", "last_event_id": 41}                   (any other page)

A queue's query string is read exactly as the queue page reads it (`helpdesk.forms.queue_request`), so
the socket keeps the same rows the page shows. A request for a page the user may not have becomes the
plain "page" view: personal notices only.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.http import QueryDict

from helpdesk.forms import queue_request
from helpdesk.permissions import agent_of, agent_team_ids
from helpdesk.selectors import QueueFilters

VIEWS = ("queue", "ticket", "portal", "page")
MAX_QUERY_LENGTH = 2000

ERR_VIEW = "view must be one of: " + ", ".join(VIEWS) + "."
ERR_TICKET = "ticket must be a ticket number."
ERR_QUERY = f"query must be a query string of at most {MAX_QUERY_LENGTH} characters."
ERR_CURSOR = "last_event_id must be a whole number of at least 0."


@dataclass(frozen=True)
class Subscribe:
    view: str
    ticket_id: int | None = None
    query: str = ""
    last_event_id: int | None = None


@dataclass(frozen=True)
class View:
    name: str = "page"
    ticket_id: int | None = None
    queue: str = ""
    filters: QueueFilters = field(default_factory=QueueFilters)


def _whole_number(value: object) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        return None
    return value


def parse_subscribe(content: dict) -> Subscribe:
    """Check a subscribe message from the browser; ValueError with a clear message when it is wrong."""
    view = content.get("view", "page")
    if view not in VIEWS:
        raise ValueError(ERR_VIEW)
    ticket_id = None
    if view in ("ticket", "portal"):
        ticket_id = _whole_number(content.get("ticket"))
        if not ticket_id:
            raise ValueError(ERR_TICKET)
    query = content.get("query", "")
    if not isinstance(query, str) or len(query) > MAX_QUERY_LENGTH:
        raise ValueError(ERR_QUERY)
    last_event_id = content.get("last_event_id")
    if last_event_id is not None and _whole_number(last_event_id) is None:
        raise ValueError(ERR_CURSOR)
    return Subscribe(view=view, ticket_id=ticket_id, query=query, last_event_id=last_event_id)


def load_user(user_id: int) -> AbstractBaseUser | None:
    """The user with everything the per-event checks read (agent profile, team ids), or None if gone.

    Loaded in the database thread, so that the consumer's checks later run in memory.
    """
    user = get_user_model().objects.select_related("agent", "agent__tier").filter(pk=user_id, is_active=True)
    user = user.first()
    if user is not None and (agent := agent_of(user)) is not None:
        agent_team_ids(agent)
    return user


def resolve_view(user: AbstractBaseUser, request: Subscribe) -> View:
    agent = agent_of(user)
    if request.view == "queue" and agent is not None:
        shown = queue_request(agent, QueryDict(request.query.lstrip("?")))
        return View(name="queue", queue=shown.queue, filters=shown.filters)
    if request.view == "ticket" and agent is not None:
        return View(name="ticket", ticket_id=request.ticket_id)
    if request.view == "portal":
        return View(name="portal", ticket_id=request.ticket_id)
    return View()
