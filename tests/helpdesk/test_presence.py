"""Presence on the ticket page over the live socket: who else has the ticket open, who is typing."""

from __future__ import annotations

import pytest

from tests.factories import AgentFactory, TicketFactory, UserFactory
from tests.helpdesk.live_sockets import open_socket, received, run

pytestmark = pytest.mark.django_db(transaction=True)


async def _on_ticket(user, ticket_id):
    socket = await open_socket(user)
    connected, _ = await socket.connect()
    assert connected
    await socket.send_json_to({"type": "subscribe", "view": "ticket", "ticket": ticket_id})
    return socket


def _presence(messages):
    return [(m["name"], m["state"]) for m in messages if m["type"] == "presence"]


async def test_colleagues_see_each_other_viewing_and_typing_and_leaving(agent, billing, outsider):
    agent.user.first_name, agent.user.last_name = "Ana", "Lima"
    await run(agent.user.save)()
    bruno = await run(AgentFactory)(
        user=await run(UserFactory)(username="bruno", first_name="Bruno", last_name="Reis"),
        tier=agent.tier,
        teams=[billing],
    )
    ticket = await run(TicketFactory)(team=billing)
    ana = await _on_ticket(agent.user, ticket.pk)
    await received(ana)
    bruno_socket = await _on_ticket(bruno.user, ticket.pk)
    # Bruno learns Ana is here; Ana learns Bruno arrived.
    assert ("Ana Lima", "viewing") in _presence(await received(bruno_socket))
    assert _presence(await received(ana)) == [("Bruno Reis", "viewing")]
    await ana.send_json_to({"type": "presence", "state": "typing"})
    assert _presence(await received(bruno_socket)) == [("Ana Lima", "typing")]
    # Someone outside the ticket's team neither appears nor hears anything.
    spy = await _on_ticket(outsider.user, ticket.pk)
    assert _presence(await received(spy)) == []
    assert _presence(await received(ana)) == []
    await bruno_socket.disconnect()
    assert _presence(await received(ana)) == [("Bruno Reis", "left")]
    await ana.send_json_to({"type": "presence", "state": "dancing"})
    assert [m["type"] for m in await received(ana)] == ["error"]
    await ana.disconnect()
    await spy.disconnect()
