"""Saved queue views: an agent's named filter and sort; leads may share one with a team."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import QueryDict

from helpdesk.models import Agent, SavedView, Team
from helpdesk.permissions import agent_team_ids

# The queue's own parameters; anything else in a query string is dropped when saving.
VIEW_PARAMS = ("queue", "status", "priority", "tier", "team", "sort", "tag", "search")
MAX_VIEWS = 30


def saved_views_for(agent: Agent) -> QuerySet[SavedView]:
    """The agent's own views and those shared with one of their teams."""
    return SavedView.objects.filter(
        Q(owner=agent) | Q(shared_with_id__in=agent_team_ids(agent))
    ).select_related("shared_with", "owner__user")


def saved_view_create(*, agent: Agent, name: str, query: str, shared_with: Team | None = None) -> SavedView:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": ["Give the view a name."]})
    if shared_with is not None:
        if not agent.sees_all_tickets:
            raise PermissionDenied("Only leads can share views with a team.")
        if shared_with.pk not in agent_team_ids(agent):
            raise ValidationError({"share_with": ["Share only with one of your teams."]})
    if SavedView.objects.filter(owner=agent).count() >= MAX_VIEWS:
        raise ValidationError({"name": [f"Keep at most {MAX_VIEWS} views; remove one first."]})
    params = QueryDict(query.lstrip("?"))
    kept = QueryDict(mutable=True)
    for key in VIEW_PARAMS:
        if params.get(key):
            kept[key] = params.get(key)[:200]
    return SavedView.objects.create(
        owner=agent, name=name[:60], query=kept.urlencode(), shared_with=shared_with
    )


def saved_view_delete(*, view: SavedView, agent: Agent) -> None:
    if view.owner_id != agent.pk:
        raise PermissionDenied("Only the person who saved a view can remove it.")
    view.delete()
