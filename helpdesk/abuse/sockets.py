"""Live sockets: at most settings.HELPDESK_SOCKETS_PER_USER open per user, and none left open after a
sign-out.

The count per user is a cache counter (shared by all processes with REDIS_URL), kept for SOCKET_COUNT_TTL
after the user's last connect, so a process that dies with sockets open cannot lock its users out for
longer. Every socket joins a group named after its session; signing out sends that group
"session.ended", and the consumer closes (helpdesk/live/consumer.py).
"""

from __future__ import annotations

import hashlib

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.cache import cache

SOCKET_COUNT_TTL = 3600
SESSION_ENDED = "session.ended"


def session_group(session_key: str) -> str:
    """The channel-layer group of every socket opened with this session (a hash: keys stay secret)."""
    return "session." + hashlib.sha256(session_key.encode()).hexdigest()[:40]


def _count_key(user_pk: int) -> str:
    return f"abuse:sockets:{user_pk}"


async def socket_opening(user_pk: int) -> bool:
    """Count a socket for the user; False (and not counted) when they already have the most allowed."""
    limit = settings.HELPDESK_SOCKETS_PER_USER
    if not limit:
        return True
    key = _count_key(user_pk)
    await cache.aadd(key, 0, timeout=SOCKET_COUNT_TTL)
    try:
        count = await cache.aincr(key)
    except ValueError:  # expired in between
        await cache.aset(key, 1, timeout=SOCKET_COUNT_TTL)
        count = 1
    await cache.atouch(key, SOCKET_COUNT_TTL)
    if count > limit:
        await socket_closed(user_pk)
        return False
    return True


async def socket_closed(user_pk: int) -> None:
    if not settings.HELPDESK_SOCKETS_PER_USER:
        return
    try:
        if await cache.adecr(_count_key(user_pk)) < 0:
            await cache.aset(_count_key(user_pk), 0, timeout=SOCKET_COUNT_TTL)
    except ValueError:  # the count expired: nothing to take back
        pass


def sockets_of_session_close(*, session_key: str | None) -> None:
    """Close every live socket opened with this session (on sign-out)."""
    if session_key:
        async_to_sync(get_channel_layer().group_send)(session_group(session_key), {"type": SESSION_ENDED})


def on_sign_out(sender, request, user, **kwargs) -> None:
    sockets_of_session_close(session_key=request.session.session_key if request is not None else None)
