"""The process-local channel layer for the embedded default (no Redis).

Channels' InMemoryChannelLayer sweeps every channel and group membership for expired entries on each
send and receive, which makes one event to N open sockets cost O(N²). Expiry is a safety net for
abandoned channels, not something a live update waits on, so this layer sweeps at most once a second.
"""

from __future__ import annotations

import time

from channels.layers import InMemoryChannelLayer

SWEEP_EVERY_SECONDS = 1.0


class LocalChannelLayer(InMemoryChannelLayer):
    _last_sweep = 0.0

    def _clean_expired(self) -> None:
        now = time.monotonic()
        if now - self._last_sweep >= SWEEP_EVERY_SECONDS:
            self._last_sweep = now
            super()._clean_expired()
