"""The embedded channel layer: Channels' in-memory layer, sweeping for expired entries at most once a second.

The override relies on a private method of Channels (`InMemoryChannelLayer._clean_expired`, called on every
group send and receive); the first test pins that upstream behaviour, so an upgrade that changes it fails here
instead of silently bringing back the per-event sweep (O(sockets²) per live event, docs/history).
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest
from channels.layers import InMemoryChannelLayer

from helpdesk.live import layers
from helpdesk.live.layers import LocalChannelLayer


def _run(coroutine) -> None:
    """Run the layer in a loop of its own, whatever loop the test thread may hold."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, coroutine).result()


@pytest.fixture
def sweeps(monkeypatch) -> list[int]:
    calls: list[int] = []
    monkeypatch.setattr(InMemoryChannelLayer, "_clean_expired", lambda self: calls.append(1))
    return calls


def test_channels_sweeps_on_every_group_send_and_receive(sweeps):
    _run(_group_sends_then_receive(sweeps))


async def _group_sends_then_receive(sweeps):
    layer = InMemoryChannelLayer()
    await layer.group_add("leads", "queue.x")
    for _ in range(3):
        await layer.group_send("leads", {"type": "live.event"})
    await layer.receive("queue.x")
    assert len(sweeps) == 4


def test_the_local_layer_sweeps_at_most_once_a_second(sweeps, monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(layers.time, "monotonic", lambda: now[0])
    _run(_local_sends(sweeps, now))


async def _local_sends(sweeps, now):
    layer = LocalChannelLayer()
    await layer.group_add("leads", "queue.x")
    for _ in range(50):
        await layer.group_send("leads", {"type": "live.event"})
    assert len(sweeps) == 1
    now[0] += layers.SWEEP_EVERY_SECONDS
    await layer.group_send("leads", {"type": "live.event"})
    assert len(sweeps) == 2
    assert (await layer.receive("queue.x"))["type"] == "live.event"  # messages still flow
