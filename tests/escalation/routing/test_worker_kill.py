"""The worker killed mid-burst, with real processes on PostgreSQL and Redis: no ticket is lost, each is
routed exactly once, and no agent ends up over capacity.

A burst of tickets is filed through the intake service while `manage.py qcluster` routes them from the
Redis broker; part-way through, the whole worker (main, sentinel, pool) is killed with SIGKILL, and a new
worker is started. Tasks the dead worker held are gone, but the routing batches of later tasks pick up
every new ticket no routing has reached (escalation/batch.py).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid

import pytest

from tests.e2e.conftest import ROOT

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs Redis (REDIS_URL) as the broker"),
]

BURST = 160
OPEN = ("new", "open", "pending", "on_hold")
FILE_BURST = """
import time
from helpdesk.models import Customer
from helpdesk.services import ticket_create
customers = [c.user for c in Customer.objects.select_related("user").order_by("pk")[:40]]
subjects = [
    ("I was charged twice on my invoice", "The card shows two payments for the same invoice this month."),
    ("Password reset link expired", "I cannot sign in; the reset link says it expired."),
    ("API returns 500 errors", "Our integration gets server errors from the export endpoint since today."),
    ("Suspicious login from another country", "We saw a sign-in from an unknown location on an admin account."),
    ("How do I add a user to my team?", "Where do I invite a colleague?"),
]
for i in range({burst}):
    subject, body = subjects[i % len(subjects)]
    ticket_create(customer=customers[i % len(customers)], subject=f"{{subject}} ({{i}})", body=body)
    time.sleep(0.05)
print("filed", {burst}, flush=True)
"""


@pytest.fixture
def system(tmp_path):
    """A fresh PostgreSQL database with the demo's staff, the Redis broker, and the environment to run in."""
    import psycopg
    import redis

    base = os.environ["DATABASE_URL"]
    name = f"kill_{uuid.uuid4().hex[:10]}"
    admin_url = base.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    database_url = base.rsplit("/", 1)[0] + "/" + name
    redis.Redis.from_url(os.environ["REDIS_URL"]).flushdb()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "HELPDESK_VAR_DIR": str(tmp_path / "var"),
        "Q_CLUSTER_NAME": f"kill{uuid.uuid4().hex[:6]}",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "HELPDESK_TICKETS_PER_HOUR": "0",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("Q_SYNC", None)
    for command in (["migrate", "-v0"], ["seed_demo", "--tickets", "0"]):
        subprocess.run(
            [sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True, capture_output=True
        )
    try:
        with psycopg.connect(database_url, autocommit=True) as conn:
            yield env, conn
    finally:
        redis.Redis.from_url(os.environ["REDIS_URL"]).flushdb()
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def start_worker(env, log) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "manage.py", "qcluster"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: the kill takes main, sentinel and pool at once
    )


def kill_group(process: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def scalar(conn, sql: str, *params):
    return conn.execute(sql, params).fetchone()[0]


def wait_for(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


def test_a_worker_killed_mid_burst_loses_no_ticket_and_routes_each_once(system, tmp_path):
    env, conn = system
    routed = "SELECT count(*) FROM helpdesk_ticket WHERE metadata ? 'routing'"
    log = open(tmp_path / "worker.log", "w")  # noqa: SIM115 - closed below
    worker = start_worker(env, log)
    burst = subprocess.Popen(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", FILE_BURST.format(burst=BURST)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        wait_for(
            lambda: scalar(conn, routed) >= BURST // 8, 120, "the worker to route an eighth of the burst"
        )
        kill_group(worker)
        killed_at = (scalar(conn, "SELECT count(*) FROM helpdesk_ticket"), scalar(conn, routed))
        assert killed_at[0] < BURST, "the burst was over before the kill"
        time.sleep(1)
        worker = start_worker(env, log)
        output, _ = burst.communicate(timeout=240)
        assert burst.returncode == 0, output
        wait_for(lambda: scalar(conn, routed) == BURST, 240, "every ticket to be routed")
    finally:
        kill_group(worker)
        if burst.poll() is None:
            burst.kill()
        log.close()

    assert scalar(conn, "SELECT count(*) FROM helpdesk_ticket") == BURST  # none lost
    once = conn.execute(
        "SELECT t.id, count(d.id) FROM helpdesk_ticket t LEFT JOIN escalation_routingdecision d "
        "ON d.ticket_id = t.id AND d.trigger = 'created' GROUP BY t.id HAVING count(d.id) <> 1"
    ).fetchall()
    assert once == [], f"tickets not routed exactly once on arrival: {once[:10]}"
    created_events = conn.execute(
        "SELECT t.id, count(e.id) FROM helpdesk_ticket t LEFT JOIN helpdesk_ticketevent e "
        "ON e.ticket_id = t.id AND e.code = 'ticket.created' GROUP BY t.id HAVING count(e.id) <> 1"
    ).fetchall()
    assert created_events == []
    over = conn.execute(
        "SELECT a.id, a.capacity, count(t.id) FROM helpdesk_agent a JOIN helpdesk_ticket t "
        "ON t.assignee_id = a.id AND t.status = ANY(%s) GROUP BY a.id, a.capacity HAVING count(t.id) > a.capacity",
        (list(OPEN),),
    ).fetchall()
    assert over == [], f"agents over capacity: {over}"
    print(f"killed the worker at {killed_at[0]} filed / {killed_at[1]} routed of {BURST}")
