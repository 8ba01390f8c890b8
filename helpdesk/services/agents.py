"""Agents: availability."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from helpdesk import live
from helpdesk.models import Agent, AgentStatus
from helpdesk.signals import agent_status_changed


def agent_set_status(*, agent: Agent, status: str, actor: AbstractBaseUser | None = None) -> Agent:
    """Set available/away/offline. Routing reacts: new work for the available, hand-offs for the rest."""
    if status not in AgentStatus.values:
        raise ValidationError({"status": [f"Choose one of: {', '.join(AgentStatus.values)}."]})
    with transaction.atomic():
        locked = Agent.objects.select_for_update().get(pk=agent.pk)
        old_status = locked.status
        if old_status == status:
            return locked
        locked.status = status
        locked.status_changed_at = timezone.now()
        locked.save(update_fields=["status", "status_changed_at"])
        live.publish(
            kind="agent.status",
            groups=[live.LEADS_GROUP, live.agent_group(locked.pk)],
            payload={"agent_id": locked.pk, "status": status},
        )
        agent_status_changed.send(sender=Agent, agent_id=locked.pk, old_status=old_status, new_status=status)
    return locked
