"""Helpers for tests that talk to the live socket the way a browser does (session cookie, origin)."""

from __future__ import annotations

import json

from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from config.asgi import application
from helpdesk.live import latest_event_id

ORIGIN = (b"origin", b"http://testserver")
# Sync code from async tests runs in the same database thread as the consumer and the relay.
run = sync_to_async
# The first event in a test process renders cold templates (~0.5 s); after that the relay (50 ms poll)
# delivers within a few milliseconds.
FIRST_SECONDS = 2.0
QUIET_SECONDS = 0.4


def _session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


async def open_socket(user=None) -> WebsocketCommunicator:
    """A connected socket, signed in as `user` (anonymous when None). Caller disconnects."""
    headers = [ORIGIN]
    if user is not None:
        cookie = await sync_to_async(_session_cookie)(user)
        headers.append((b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode()))
    return WebsocketCommunicator(application, "/ws/queue/", headers=headers)


async def connect(user, **subscribe) -> WebsocketCommunicator:
    """Open a socket as `user` and subscribe as a page rendered now would (view "page" unless told).

    Returns once the server has answered the subscription, so the socket is in its groups.
    """
    socket = await open_socket(user)
    connected, _ = await socket.connect()
    assert connected
    subscribe.setdefault("last_event_id", await run(latest_event_id)())
    await socket.send_json_to({"type": "subscribe", "view": "page", **subscribe})
    reply = await socket.receive_json_from(timeout=3)
    assert reply["type"] == "caught-up", reply
    return socket


async def reconnect(user, *, last_event_id: int, view: str = "queue") -> list[dict]:
    """A browser coming back: subscribe with the last event id it saw; everything it then gets."""
    socket = await open_socket(user)
    await socket.connect()
    try:
        await socket.send_json_to({"type": "subscribe", "view": view, "last_event_id": last_event_id})
        return await received(socket)
    finally:
        await socket.disconnect()


async def received(socket: WebsocketCommunicator, *, first: float = FIRST_SECONDS) -> list[dict]:
    """Everything the socket receives: waits up to `first` seconds for a first message, then until it has
    been quiet for QUIET_SECONDS."""
    messages = []
    # receive_nothing peeks; a timed-out receive would cancel the application.
    wait = first
    while not await socket.receive_nothing(timeout=wait):
        messages.append(await socket.receive_json_from())
        wait = QUIET_SECONDS
    return messages


async def events(socket: WebsocketCommunicator) -> list[dict]:
    return [m for m in await received(socket) if m["type"] == "event"]


def text_of(messages: list[dict]) -> str:
    """All the text a browser would get, for asserting that something never leaks."""
    return json.dumps(messages)
