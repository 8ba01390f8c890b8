"""Getting events from where they happen to the sockets: the embedded relay, PostgreSQL's late commits,
channels-redis, and the queue membership check the live rows rely on."""

from __future__ import annotations

import asyncio
import os
import threading
import uuid
from importlib import import_module

import pytest
from channels.layers import get_channel_layer
from django.apps import apps as django_apps
from django.db import connection, transaction
from django_q.models import Schedule

from helpdesk import live
from helpdesk.live import relay
from helpdesk.models import Priority, Status
from helpdesk.selectors import QueueFilters, agent_queue, ticket_in_queue, with_sla_due
from helpdesk.services import ticket_set_status
from tests.factories import TicketFactory
from tests.helpdesk.live_sockets import connect, events, run

transactional = pytest.mark.django_db(transaction=True)


@transactional
async def test_events_from_another_process_reach_the_socket_without_a_nudge(agent, billing, monkeypatch):
    # A producer in another process (the django-q2 worker) cannot nudge this process's relay: it must
    # find the row itself (a short poll on SQLite, NOTIFY on PostgreSQL).
    monkeypatch.setattr(relay, "relays_running", lambda: False)
    ticket = await run(TicketFactory)(team=billing, subject="Routed by the worker")
    socket = await connect(agent.user, view="queue", query="?queue=team")
    assert relay.relays_running.__name__ == "<lambda>" and relay._relays  # this loop runs a relay
    try:
        await run(ticket_set_status)(ticket=ticket, status="pending", actor=None)
        [event] = await events(socket)
    finally:
        await socket.disconnect()
    assert "Routed by the worker" in event["ops"][0]["html"]
    assert not relay._relays  # the last socket to leave stops the relay


@transactional
@pytest.mark.postgres
async def test_a_lower_id_committed_after_a_higher_one_is_still_relayed(lead):
    socket = await connect(lead.user)
    created, release = threading.Event(), threading.Event()
    ids: dict[str, int] = {}

    def slow_transaction() -> None:
        with transaction.atomic():
            ids["slow"] = live.publish(kind="probe", groups=[live.LEADS_GROUP]).pk
            created.set()
            release.wait(5)
        connection.close()

    def quick_transaction() -> None:
        ids["quick"] = live.publish(kind="probe", groups=[live.LEADS_GROUP]).pk
        connection.close()

    slow = threading.Thread(target=slow_transaction)
    slow.start()
    try:
        created.wait(5)
        quick = threading.Thread(target=quick_transaction)
        quick.start()
        quick.join()
        first = await events(socket)
        release.set()
        slow.join()
        second = await events(socket)
    finally:
        release.set()
        await socket.disconnect()
    assert ids["slow"] < ids["quick"]
    assert [event["id"] for event in first] == [ids["quick"]]
    assert [event["id"] for event in second] == [ids["slow"]]


@transactional
@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL")
async def test_with_redis_the_producing_process_delivers_directly(agent, billing, settings):
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [os.environ["REDIS_URL"]], "prefix": f"test-live-{uuid.uuid4().hex[:8]}"},
        }
    }
    ticket = await run(TicketFactory)(team=billing, subject="Through Redis")
    socket = await connect(agent.user, view="queue", query="?queue=team")
    try:
        assert not relay._relays  # no relay: the producer sends after commit
        await run(ticket_set_status)(ticket=ticket, status="pending", actor=None)
        [event] = await events(socket)
    finally:
        await socket.disconnect()
    assert "Through Redis" in event["ops"][0]["html"]


@pytest.mark.django_db
def test_the_live_queue_check_agrees_with_the_queue_page(agent, outsider, lead, billing, technical, tier2):
    tickets = [
        TicketFactory(team=billing),
        TicketFactory(team=billing, assignee=agent, status=Status.OPEN, priority=Priority.HIGH),
        TicketFactory(team=technical, assignee=agent, status=Status.PENDING),
        TicketFactory(team=technical, status=Status.RESOLVED, tier=tier2),
        TicketFactory(team=None, priority=Priority.URGENT),
        TicketFactory(team=technical, assignee=outsider, status=Status.CLOSED),
    ]
    filter_sets = [
        QueueFilters(),
        QueueFilters(open_only=False),
        QueueFilters(status=Status.PENDING),
        QueueFilters(priority=Priority.HIGH),
        QueueFilters(tier=2, open_only=False),
        QueueFilters(tier=1),
        QueueFilters(team=technical.pk, open_only=False),
    ]
    loaded = list(with_sla_due(TicketFactory._meta.model.objects.select_related("tier")))
    assert len(loaded) == len(tickets)
    for who in (agent, outsider, lead):
        for queue in ("mine", "team", "unassigned", "all"):
            for filters in filter_sets:
                listed = set(
                    agent_queue(agent=who, queue=queue, filters=filters, sort="priority").values_list(
                        "pk", flat=True
                    )
                )
                checked = {
                    t.pk for t in loaded if ticket_in_queue(t, agent=who, queue=queue, filters=filters)
                }
                assert checked == listed, (who, queue, filters)


@pytest.mark.django_db
def test_pages_carry_the_cursor_they_were_rendered_at(agent_client, agent, billing):
    ticket = TicketFactory(team=billing)
    ticket_set_status(ticket=ticket, status="pending", actor=None)
    page = agent_client.get("/agent/?queue=team").content.decode()
    assert f'data-live-since="{live.latest_event_id()}"' in page
    assert f'id="ticket-row-{ticket.pk}"' in page and "data-created=" in page
    assert "/static/js/live.js" in page


@pytest.mark.django_db
def test_outbox_pruning_is_scheduled_under_its_own_name():
    # Transactional tests empty every table, the migration's rows too: run its step again.
    migration = import_module("helpdesk.migrations.0002_live_outbox_prune_schedule")
    migration.add_schedule(django_apps, None)
    schedule = Schedule.objects.get(name="live: prune outbox")
    assert schedule.func == "helpdesk.live.tasks.live_outbox_prune"
    assert schedule.schedule_type == Schedule.HOURLY


def test_a_wide_id_gap_awaits_the_ids_just_below_the_new_event():
    """An emptied outbox whose sequence moved on: the late commit is the id right below, not id 1."""
    import asyncio

    from helpdesk.live.relay import MAX_TRACKED_GAPS, OutboxRelay

    relay = OutboxRelay(asyncio.new_event_loop())
    relay.track_gaps, relay.cursor = True, 0
    relay._note_gap_before(5000)
    assert 4999 in relay.awaited and 1 not in relay.awaited
    assert len(relay.awaited) == MAX_TRACKED_GAPS


@pytest.mark.django_db
async def test_a_burst_goes_out_as_one_message_per_group_with_its_events_in_order():
    layer = get_channel_layer()
    first, second = await layer.new_channel(), await layer.new_channel()
    memberships = [("burst.team", first), ("burst.leads", first), ("burst.leads", second)]
    for group, channel in memberships:
        await layer.group_add(group, channel)
    try:
        messages = [{"id": n} for n in (1, 2, 3)]
        await live.group_send_all(
            [
                (messages[0], ["burst.team", "burst.leads"]),
                (messages[1], ["burst.leads"]),
                (messages[2], ["burst.team"]),
            ]
        )
        received = [await layer.receive(first), await layer.receive(first), await layer.receive(second)]
        for channel in (first, second):  # nothing else was sent
            with pytest.raises(TimeoutError):
                await asyncio.wait_for(layer.receive(channel), timeout=0.05)
    finally:
        for group, channel in memberships:
            await layer.group_discard(group, channel)
    # first: burst.team -> [1, 3] and burst.leads -> [1, 2]; second: burst.leads -> [1, 2].
    assert sorted([m["id"] for m in message["events"]] for message in received) == [[1, 2], [1, 2], [1, 3]]
    assert all(message["type"] == live.GROUP_MESSAGE_TYPE for message in received)
