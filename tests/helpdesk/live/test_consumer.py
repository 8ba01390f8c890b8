"""The live socket: who may connect, what each user hears, and catching up after a reconnect."""

from __future__ import annotations

import datetime as dt

import pytest
from channels.layers import get_channel_layer
from django.utils import timezone

from helpdesk.events import event_record
from helpdesk.live import latest_event_id, replay
from helpdesk.live.pages import ERR_VIEW
from helpdesk.live.tasks import live_outbox_prune
from helpdesk.models import LiveEvent
from helpdesk.notifications import notify
from helpdesk.services import message_add, ticket_assign, ticket_escalate, ticket_set_status
from tests.factories import TicketFactory
from tests.helpdesk.live_sockets import connect, events, open_socket, received, reconnect, run, text_of

pytestmark = pytest.mark.django_db(transaction=True)


async def test_a_socket_without_a_session_is_refused(db):
    socket = await open_socket(None)
    connected, code = await socket.connect()
    assert not connected
    assert code == 4401


async def _groups_joined_by(user) -> set[str]:
    socket = await connect(user)
    layer = get_channel_layer()
    try:
        # Besides its session's group (for sign-out), a socket joins only the groups its user may hear.
        joined = {group for group, members in layer.groups.items() if members}
        assert len({g for g in joined if g.startswith("session.")}) == 1
        return {g for g in joined if not g.startswith("session.")}
    finally:
        await socket.disconnect()


async def test_each_role_joins_only_its_own_groups(agent, lead, customer, billing, technical):
    assert await _groups_joined_by(agent.user) == {f"agent.{agent.pk}", f"team.{billing.pk}"}
    assert await _groups_joined_by(lead.user) == {
        f"agent.{lead.pk}",
        f"team.{billing.pk}",
        f"team.{technical.pk}",
        "leads",
    }
    assert await _groups_joined_by(customer) == {f"customer.{customer.pk}"}


async def test_an_agent_on_the_queue_sees_a_status_change_in_place(agent, billing):
    ticket = await run(TicketFactory)(team=billing, subject="Printer on fire")
    socket = await connect(agent.user, view="queue", query="?queue=team")
    try:
        await run(ticket_set_status)(ticket=ticket, status="pending", actor=None)
        [event] = await events(socket)
    finally:
        await socket.disconnect()
    [op] = event["ops"]
    assert op["op"] == "row" and op["ticket"] == ticket.pk
    assert "Printer on fire" in op["html"] and "Pending" in op["html"]
    assert "Printer on fire" in event["notice"]


async def test_a_row_that_no_longer_matches_the_filters_leaves_the_queue(agent, billing):
    ticket = await run(TicketFactory)(team=billing)
    socket = await connect(agent.user, view="queue", query="?queue=team&status=new")
    try:
        await run(ticket_set_status)(ticket=ticket, status="pending", actor=None)
        [event] = await events(socket)
    finally:
        await socket.disconnect()
    assert event["ops"] == [{"op": "remove", "ticket": ticket.pk}]


async def test_agents_hear_their_teams_and_leads_hear_every_team(agent, outsider, lead, technical):
    ticket = await run(TicketFactory)(team=technical, subject="Kernel panic at the disco")
    sockets = {
        who.user.username: await connect(who.user, view="queue", query="?queue=all")
        for who in (agent, outsider, lead)
    }
    try:
        await run(ticket_set_status)(ticket=ticket, status="pending", actor=None)
        heard = {name: await received(socket) for name, socket in sockets.items()}
    finally:
        for socket in sockets.values():
            await socket.disconnect()
    assert heard["ana"] == []  # a Billing agent never hears of a Technical ticket
    for name in ("otto", "lena"):
        [event] = heard[name]
        assert event["ops"][0]["op"] == "row"
        assert "Kernel panic" in event["ops"][0]["html"]


async def test_a_ticket_moving_to_another_team_leaves_the_old_queue_without_details(
    agent, outsider, lead, billing, technical, tier1
):
    ticket = await run(TicketFactory)(team=billing, subject="Confidential merger question", tier=tier1)
    old_team = await connect(agent.user, view="queue", query="?queue=team")
    new_team = await connect(outsider.user, view="queue", query="?queue=team")
    try:
        await run(ticket_escalate)(
            ticket=ticket, kind="functional", team=technical, actor=lead.user, reason="Needs the SRE folks"
        )
        old_heard, new_heard = await received(old_team), await received(new_team)
    finally:
        await old_team.disconnect()
        await new_team.disconnect()
    assert [event["ops"] for event in old_heard] == [[{"op": "remove", "ticket": ticket.pk}]]
    leaked = text_of(old_heard)
    for detail in ("Confidential merger", "Technical", "SRE folks", "Escalated"):
        assert detail not in leaked
    assert any(op["op"] == "row" for event in new_heard for op in event["ops"])
    assert "Escalated to your team" in new_heard[0]["notice"]


async def test_customers_hear_replies_on_their_own_ticket_but_never_internal_notes(
    agent, billing, customer, other_customer
):
    ticket = await run(TicketFactory)(team=billing, customer=customer)
    mine = await connect(customer, view="portal", ticket=ticket.pk)
    theirs = await connect(other_customer, view="portal", ticket=ticket.pk)
    try:
        await run(message_add)(
            ticket=ticket, author=agent.user, body="Secret: customer is grumpy", internal=True
        )
        await run(message_add)(ticket=ticket, author=agent.user, body="We are on it!", then_status="pending")
        heard, overheard = await received(mine), await received(theirs)
    finally:
        await mine.disconnect()
        await theirs.disconnect()
    assert overheard == []
    assert "Secret" not in text_of(heard) and "grumpy" not in text_of(heard)
    messages = [op for event in heard for op in event["ops"] if op["op"] == "message"]
    assert len(messages) == 1 and "We are on it!" in messages[0]["html"]
    statuses = [op["html"] for event in heard for op in event["ops"] if op["op"] == "status"]
    assert "Pending" in statuses[-1]
    assert any(event.get("notice") == f"New reply on ticket #{ticket.pk}." for event in heard)


async def test_a_customer_asking_for_agent_views_gets_nothing_more(agent, billing, customer, other_customer):
    ticket = await run(TicketFactory)(team=billing, customer=customer, subject="Olga's private matter")
    nosy = [
        await connect(other_customer, view="queue", query="?queue=all"),
        await connect(other_customer, view="ticket", ticket=ticket.pk),
        await connect(other_customer, view="portal", ticket=ticket.pk),
    ]
    try:
        await run(message_add)(ticket=ticket, author=agent.user, body="Your refund is approved.")
        heard = [await received(socket) for socket in nosy]
    finally:
        for socket in nosy:
            await socket.disconnect()
    assert heard == [[], [], []]


async def test_two_agents_on_one_ticket_see_each_others_replies(agent, lead, billing):
    ticket = await run(TicketFactory)(team=billing)
    writer = await connect(agent.user, view="ticket", ticket=ticket.pk)
    reader = await connect(lead.user, view="ticket", ticket=ticket.pk)
    try:
        message = await run(message_add)(ticket=ticket, author=agent.user, body="Restarted the billing run.")
        # (each also hears that the other has the ticket open: presence, not events)
        written, read = await events(writer), await events(reader)
    finally:
        await writer.disconnect()
        await reader.disconnect()
    ops = [op for event in read for op in event["ops"]]
    [shown] = [op for op in ops if op["op"] == "message"]
    assert shown["id"] == f"message-{message.pk}" and "Restarted the billing run." in shown["html"]
    history = " ".join(op["html"] for op in ops if op["op"] == "history")
    assert "Agent replied" in history and "Status new → open" in history
    assert "Open" in [op for op in ops if op["op"] == "badges"][-1]["html"]  # the reply opened the ticket
    # The reply is what the colleague hears last: the status change it caused comes before it.
    assert [event.get("notice") for event in read][-1] == f"{agent.user.get_full_name()}: Agent replied"
    assert all("notice" not in event for event in written)  # the writer knows what they did


async def test_an_assignment_tells_the_agent_on_any_page(agent, billing):
    ticket = await run(TicketFactory)(team=billing, subject="Invoice missing")
    socket = await connect(agent.user)
    try:
        await run(ticket_assign)(ticket=ticket, agent=agent, actor=None)
        [event] = await events(socket)
    finally:
        await socket.disconnect()
    assert event["notice"] == f"Assigned to you: #{ticket.pk} Invoice missing"


async def test_what_concerns_an_agent_personally_is_announced(agent, outsider, lead, billing, tier1, tier2):
    ticket = await run(TicketFactory)(team=billing, tier=tier1, subject="VPN drops hourly")
    await run(ticket_assign)(ticket=ticket, agent=agent, actor=None)
    socket_of = {who: await connect(who.user) for who in (agent, lead)}
    try:
        await run(ticket_escalate)(ticket=ticket, kind="hierarchical", actor=outsider.user, reason="Too deep")
        await run(event_record)(ticket=ticket, code="sla.breached", to_value="first response")
        heard = {who: [e.get("notice") for e in await events(socket)] for who, socket in socket_of.items()}
    finally:
        for socket in socket_of.values():
            await socket.disconnect()
    about = f"#{ticket.pk} VPN drops hourly"
    # (Routing may also hand the escalated ticket to someone in between; that has its own notice.)
    assert f"Taken from you (Escalated L1 Frontline → L2 Specialist (hierarchical)): {about}" in heard[agent]
    assert f"Escalated to your tier: {about}" in heard[lead]
    for who in (agent, lead):
        assert heard[who][-1] == f"SLA breached: first response: {about}"


async def test_a_notification_updates_the_unread_counter(agent):
    socket = await connect(agent.user)
    try:
        await run(notify)(recipients=[agent.user], kind="sla.warning", title="SLA warning on #7")
        await run(notify)(recipients=[agent.user], kind="sla.warning", title="SLA warning on #8")
        heard = await events(socket)
    finally:
        await socket.disconnect()
    assert len(heard) == 2
    assert heard[-1]["ops"] == [{"op": "bell", "count": 2}]  # the count as it is when delivered
    assert [event["notice"] for event in heard] == ["SLA warning on #7", "SLA warning on #8"]


async def test_replay_after_reconnect_delivers_exactly_the_missed_events_in_order(agent, billing, technical):
    mine = await run(TicketFactory)(team=billing)
    others = await run(TicketFactory)(team=technical)
    await run(ticket_set_status)(ticket=mine, status="open", actor=None)  # seen before the blip
    socket = await connect(agent.user, view="queue", query="?queue=team")
    last_seen = await run(latest_event_id)()
    await socket.disconnect()

    await run(ticket_set_status)(ticket=mine, status="pending", actor=None)
    await run(ticket_set_status)(ticket=others, status="pending", actor=None)
    await run(message_add)(ticket=mine, author=agent.user, body="Note to self", internal=True)
    await run(ticket_set_status)(ticket=others, status="on_hold", actor=None)
    await run(ticket_set_status)(ticket=mine, status="open", actor=None)
    missed = await run(
        lambda: list(LiveEvent.objects.filter(id__gt=last_seen, ticket=mine).values_list("id", flat=True))
    )()

    replayed = await reconnect(agent.user, last_event_id=last_seen)
    assert len(missed) == 3
    assert [event["id"] for event in replayed[:-1]] == missed  # exactly these, oldest first
    assert all(event["replay"] and "notice" not in event for event in replayed[:-1])
    assert replayed[-1]["type"] == "caught-up" and replayed[-1]["count"] == 3


async def test_a_reconnect_that_missed_too_much_is_told_to_reload(agent, billing, monkeypatch):
    monkeypatch.setattr(replay, "REPLAY_LIMIT", 2)
    ticket = await run(TicketFactory)(team=billing)
    last_seen = await run(latest_event_id)()
    for status in ("pending", "on_hold", "open"):
        await run(ticket_set_status)(ticket=ticket, status=status, actor=None)
    assert await reconnect(agent.user, last_event_id=last_seen) == [
        {"type": "reload", "cursor": await run(latest_event_id)()}
    ]


async def test_a_reconnect_older_than_the_pruned_outbox_is_told_to_reload(agent, billing):
    ticket = await run(TicketFactory)(team=billing)
    await run(ticket_set_status)(ticket=ticket, status="open", actor=None)
    last_seen = await run(latest_event_id)()
    await run(ticket_set_status)(ticket=ticket, status="pending", actor=None)
    await run(ticket_set_status)(ticket=ticket, status="open", actor=None)
    replies = await reconnect(agent.user, last_event_id=last_seen, view="page")
    assert [reply["type"] for reply in replies] == ["event", "event", "caught-up"]  # nothing pruned yet

    await run(lambda: LiveEvent.objects.filter(id__lte=last_seen + 1).delete())()
    [reply] = await reconnect(agent.user, last_event_id=last_seen, view="page")
    assert reply["type"] == "reload"


async def test_pruning_keeps_only_the_retention_period_and_the_newest_row(billing):
    ticket = await run(TicketFactory)(team=billing)
    for status in ("pending", "open", "on_hold"):
        await run(ticket_set_status)(ticket=ticket, status=status, actor=None)
    first, second, newest = await run(lambda: list(LiveEvent.objects.order_by("id")))()
    long_ago = timezone.now() - dt.timedelta(days=2)
    await run(lambda: LiveEvent.objects.exclude(pk=second.pk).update(created_at=long_ago))()

    assert await run(live_outbox_prune)() == 1
    # The newest row stays whatever its age: it tells where the ids have got to.
    remaining = await run(lambda: list(LiveEvent.objects.values_list("id", flat=True)))()
    assert remaining == [second.pk, newest.pk]


async def test_bad_messages_get_a_clear_error_and_the_socket_stays_open(agent):
    socket = await open_socket(agent.user)
    await socket.connect()
    try:
        await socket.send_to(text_data="not json")
        await socket.send_json_to({"type": "dance"})
        await socket.send_json_to({"type": "subscribe", "view": "nope"})
        await socket.send_json_to({"type": "subscribe", "view": "ticket", "ticket": "1; drop table"})
        await socket.send_json_to({"type": "subscribe", "view": "page", "last_event_id": -3})
        await socket.send_json_to({"type": "subscribe", "view": "page", "last_event_id": 0})
        replies = await received(socket)
    finally:
        await socket.disconnect()
    assert [reply["type"] for reply in replies] == ["error"] * 5 + ["caught-up"]
    assert replies[2]["error"] == ERR_VIEW
