"""Websocket consumer for live queues: authenticate, join the user's groups, forward events."""

from __future__ import annotations

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from helpdesk import live
from helpdesk.permissions import agent_of, agent_team_ids


def groups_for(user) -> list[str]:
    """The live groups a user may join: never more than what they may see."""
    agent = agent_of(user)
    if agent is None:
        return [live.customer_group(user.pk)]
    groups = [live.agent_group(agent.pk)] + [live.team_group(t) for t in sorted(agent_team_ids(agent))]
    if agent.sees_all_tickets:
        groups.append(live.LEADS_GROUP)
    return groups


class QueueConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=4401)
            return
        self.groups_joined = await database_sync_to_async(groups_for)(user)
        for group in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        for group in getattr(self, "groups_joined", []):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def live_event(self, message: dict) -> None:
        await self.send_json(message["event"])
