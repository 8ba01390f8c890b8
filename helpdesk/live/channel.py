"""How a committed outbox row travels: the channel-layer message, the sends per group, and the NOTIFY
channel that wakes the embedded relays. Shared by publishing (helpdesk.live) and the relay."""

from __future__ import annotations

from collections.abc import Iterable

from channels.layers import get_channel_layer

from helpdesk.models import LiveEvent

# The PostgreSQL NOTIFY channel that wakes the embedded relays.
NOTIFY_CHANNEL = "helpdesk_live"
# The channel-layer message type; consumers handle it in `live_event`.
GROUP_MESSAGE_TYPE = "live.event"


def event_message(event: LiveEvent) -> dict:
    """The outbox row as it travels through the channel layer (never sent to browsers as is)."""
    return {"id": event.pk, "kind": event.kind, "ticket_id": event.ticket_id, "payload": event.payload}


async def group_send_all(deliveries: Iterable[tuple[dict, Iterable[str]]]) -> None:
    """Send each (message, groups) to its groups: one channel-layer message per group, carrying that
    group's messages in order. A burst (the SLA sweep writes hundreds of live events per batch, each
    for several groups) then costs one send per group instead of one per message and group."""
    per_group: dict[str, list[dict]] = {}
    for message, groups in deliveries:
        for group in groups:
            per_group.setdefault(group, []).append(message)
    layer = get_channel_layer()
    for group, messages in per_group.items():
        await layer.group_send(group, {"type": GROUP_MESSAGE_TYPE, "events": messages})


def latest_event_id() -> int:
    """The newest outbox id (0 when empty): where a freshly rendered page starts listening."""
    return LiveEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
