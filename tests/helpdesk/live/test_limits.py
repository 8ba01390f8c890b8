"""Live sockets: a cap per user on open sockets, and a sign-out closes the session's sockets."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings as django_settings
from django.core.cache import cache
from django.test import Client

from config.asgi import application
from helpdesk.live import latest_event_id
from helpdesk.live.consumer import CLOSE_TOO_MANY_SOCKETS, CLOSE_UNAUTHENTICATED
from helpdesk.services import ticket_set_status
from tests.factories import TicketFactory
from tests.helpdesk.live_sockets import ORIGIN, connect, events, open_socket, run

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def fresh_counters():
    cache.clear()
    yield
    cache.clear()


async def test_a_user_gets_at_most_the_allowed_sockets(agent, settings):
    settings.HELPDESK_SOCKETS_PER_USER = 2
    first, second = await connect(agent.user), await connect(agent.user)
    third = await open_socket(agent.user)
    connected, code = await third.connect()
    assert not connected and code == CLOSE_TOO_MANY_SOCKETS

    await first.disconnect()  # closing one frees its place
    fourth = await connect(agent.user)
    await second.disconnect()
    await fourth.disconnect()


async def test_another_user_is_not_held_back_by_someone_s_sockets(agent, lead, settings):
    settings.HELPDESK_SOCKETS_PER_USER = 1
    mine = await connect(agent.user)
    theirs = await connect(lead.user)
    await mine.disconnect()
    await theirs.disconnect()


def _signed_in_browser(user) -> Client:
    browser = Client()
    browser.force_login(user)
    return browser


async def test_signing_out_closes_the_session_s_socket_and_nothing_more_arrives(agent, billing):
    ticket = await run(TicketFactory)(team=billing, subject="Invoice twice")
    browser = await sync_to_async(_signed_in_browser)(agent.user)
    cookie = browser.cookies[django_settings.SESSION_COOKIE_NAME].value
    socket = WebsocketCommunicator(
        application,
        "/ws/queue/",
        headers=[ORIGIN, (b"cookie", f"{django_settings.SESSION_COOKIE_NAME}={cookie}".encode())],
    )
    assert (await socket.connect())[0]
    last = await run(latest_event_id)()
    await socket.send_json_to(
        {"type": "subscribe", "view": "queue", "query": "?queue=team", "last_event_id": last}
    )
    assert (await socket.receive_json_from(timeout=3))["type"] == "caught-up"
    other_device = await connect(agent.user, view="queue", query="?queue=team")  # signed in elsewhere

    response = await sync_to_async(browser.post)("/accounts/logout/")
    assert response.status_code == 302
    assert await socket.receive_output(timeout=3) == {
        "type": "websocket.close",
        "code": CLOSE_UNAUTHENTICATED,
    }
    await socket.disconnect()  # what the browser's side of the connection then does

    # The other session keeps hearing about the team's tickets.
    await run(ticket_set_status)(ticket=ticket, status="pending", actor=None)
    [event] = await events(other_device)
    assert event["ops"][0]["ticket"] == ticket.pk
    await other_device.disconnect()
