"""Live updates: commit-to-browser latency and events/s with 50 connected agent sockets.

    python bench/live.py [--clients 50] [--events 300] [--rate 20] [--burst 500]
                         [--modes embedded,postgres,redis] [--redis redis://127.0.0.1:6379/3]

For each mode this starts the whole system as the README does (`manage.py start`: web + django-q2
worker) on a throw-away database, opens one queue-page websocket for each of N agents of one team, and
has the *worker* change ticket priorities (a task enqueued through django-q2), first at a steady rate
(latency: from the producer's commit to the JSON frame arriving at each socket), then as fast as it can
(throughput: events/s fully delivered to every socket). Modes:
- embedded: SQLite, no Redis: the web process's outbox relay polls (the default install);
- postgres: PostgreSQL, no Redis: the relay is woken by LISTEN/NOTIFY;
- redis:    PostgreSQL + channels-redis: the worker sends to Redis after commit.
Everything (server, worker, 50 sockets, database) shares this machine's cores.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ROOT, free_port, fresh_postgres, manage, wait_until_healthy  # noqa: E402

PRIORITIES = ["high", "urgent", "low", "normal"]

SETUP_SNIPPET = """
import json
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.sessions.backends.db import SessionStore
from helpdesk.live import latest_event_id
from helpdesk.models import Agent, AgentStatus, Customer, Organization, Team, Ticket, Tier
User = get_user_model()
tier = Tier.objects.create(level=1, name="Frontline")
team = Team.objects.create(name="Bench")
org = Organization.objects.create(name="Bench Org")
customer = User.objects.create_user("bench-customer", "bench@example.com")
Customer.objects.create(user=customer, organization=org)
tickets = [Ticket.objects.create(subject=f"Bench ticket {{i}}", body="x", team=team, tier=tier, customer=customer,
           organization=org).pk for i in range({tickets})]
sessions = []
for i in range({clients}):
    user = User.objects.create_user(f"bench-agent-{{i:02d}}", f"agent{{i}}@example.com", first_name="Agent", last_name=str(i))
    agent = Agent.objects.create(user=user, tier=tier, status=AgentStatus.OFFLINE)
    agent.teams.set([team])
    s = SessionStore()
    s[SESSION_KEY] = str(user.pk)
    s[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    s[HASH_SESSION_KEY] = user.get_session_auth_hash()
    s.create()
    sessions.append(s.session_key)
print(json.dumps({{"tickets": tickets, "sessions": sessions, "cursor": latest_event_id()}}))
"""

ENQUEUE_SNIPPET = """
from django_q.tasks import async_task
async_task("bench.live.produce_events", {tickets!r}, {count}, {rate}, {out!r})
"""


def produce_events(ticket_ids: list[int], count: int, rate: float, out_path: str) -> int:
    """Runs in the worker: change priorities through the real service; write (event id, commit time)."""
    from helpdesk.models import LiveEvent, Ticket, Trigger
    from helpdesk.services.tickets import ticket_set_priority

    commits = []
    start = time.perf_counter()
    for i in range(count):
        if rate:
            time.sleep(max(0.0, start + i / rate - time.perf_counter()))
        pk = ticket_ids[i % len(ticket_ids)]
        priority = PRIORITIES[(i // len(ticket_ids)) % len(PRIORITIES)]  # every visit changes it
        ticket_set_priority(
            ticket=Ticket(pk=pk), priority=priority, actor=None, trigger=Trigger.SYSTEM, score=float(i % 97)
        )
        committed = time.time()
        event_id = LiveEvent.objects.filter(ticket_id=pk).order_by("-id").values_list("id", flat=True)[0]
        commits.append((event_id, committed))
    Path(out_path + ".tmp").write_text(json.dumps(commits))
    os.replace(out_path + ".tmp", out_path)
    return len(commits)


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time used so far by these processes (Linux /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def process_tree(root: int) -> dict[str, list[int]]:
    """The web server and the worker processes started by `manage.py start` (pid `root`)."""
    found: dict[str, list[int]] = {"web": [], "worker": []}
    pending = [root]
    while pending:
        pid = pending.pop()
        children = Path(f"/proc/{pid}/task/{pid}/children")
        for child in (int(c) for c in children.read_text().split()) if children.exists() else ():
            cmdline = Path(f"/proc/{child}/cmdline").read_bytes()
            found["web" if b"uvicorn" in cmdline else "worker"].append(child)
            pending.append(child)
    return found


@contextlib.contextmanager
def whole_system(env: dict[str, str]) -> Iterator[tuple[str, int]]:
    """`manage.py start` (web + worker) on a free port; yields the base URL and the command's pid."""
    port = free_port()
    log = tempfile.NamedTemporaryFile("w", suffix=".log", delete=False)  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [sys.executable, "manage.py", "start", "--no-seed", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(url, process, log.name, seconds=90)
        time.sleep(2)  # the worker starts after the web server
        yield url, process.pid
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


class Sockets:
    """N browser-like websockets on the queue page, recording when each event frame arrives."""

    def __init__(self, url: str, sessions: list[str], cursor: int) -> None:
        self.url, self.sessions, self.cursor = url, sessions, cursor
        self.arrivals: list[dict[int, float]] = [{} for _ in sessions]
        self.ready = 0
        self.tasks: list[asyncio.Task] = []

    async def open(self) -> None:
        self.tasks = [asyncio.create_task(self._listen(i, key)) for i, key in enumerate(self.sessions)]
        while self.ready < len(self.sessions):
            await asyncio.sleep(0.05)

    async def _listen(self, index: int, session_key: str) -> None:
        from websockets.asyncio.client import connect

        ws_url = self.url.replace("http://", "ws://") + "/ws/queue/"
        headers = {"Cookie": f"sessionid={session_key}"}
        async with connect(ws_url, additional_headers=headers, origin=self.url, max_queue=None) as ws:
            subscribe = {
                "type": "subscribe",
                "view": "queue",
                "query": "?queue=team",
                "last_event_id": self.cursor,
            }
            await ws.send(json.dumps(subscribe))
            async for raw in ws:
                arrived = time.time()
                message = json.loads(raw)
                if message["type"] == "event":
                    self.arrivals[index][message["id"]] = arrived
                elif message["type"] == "caught-up":
                    self.ready += 1

    async def close(self) -> None:
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)


async def run_phase(
    sockets: Sockets, env: dict, tickets: list[int], count: int, rate: float, processes: dict
) -> dict:
    out = tempfile.mktemp(suffix=".json")
    cpu_before = {name: cpu_seconds(pids) for name, pids in processes.items()}
    snippet = ENQUEUE_SNIPPET.format(tickets=tickets, count=count, rate=rate, out=out)
    await asyncio.to_thread(manage, "shell", "-c", snippet, env=env)
    deadline = time.monotonic() + 300
    while not os.path.exists(out):
        if time.monotonic() > deadline:
            raise RuntimeError("the worker never produced the events")
        await asyncio.sleep(0.2)
    commits = json.loads(Path(out).read_text())
    wanted = {event_id for event_id, _ in commits}
    settle = time.monotonic() + 15
    while time.monotonic() < settle and not all(wanted <= arrivals.keys() for arrivals in sockets.arrivals):
        await asyncio.sleep(0.1)
    latencies, lost, last_arrival = [], 0, 0.0
    for arrivals in sockets.arrivals:
        for event_id, committed in commits:
            if event_id in arrivals:
                latencies.append((arrivals[event_id] - committed) * 1000)
                last_arrival = max(last_arrival, arrivals[event_id])
            else:
                lost += 1
    cpu = {name: cpu_seconds(pids) - cpu_before[name] for name, pids in processes.items()}
    quantiles = statistics.quantiles(latencies, n=100)
    elapsed = last_arrival - commits[0][1]
    return {
        "events": len(commits),
        "deliveries": len(latencies),
        "lost": lost,
        "p50_ms": round(quantiles[49], 1),
        "p95_ms": round(quantiles[94], 1),
        "p99_ms": round(quantiles[98], 1),
        "max_ms": round(max(latencies), 1),
        "events_per_s": round(len(commits) / elapsed, 1),
        "deliveries_per_s": round(len(latencies) / elapsed),
        "produced_per_s": round(len(commits) / max(commits[-1][1] - commits[0][1], 1e-9), 1),
        # CPU the web process spent per delivered frame (relay, rendering, 50 sockets): load-independent.
        "web_cpu_ms_per_delivery": round(cpu["web"] * 1000 / max(len(latencies), 1), 3),
        "worker_cpu_ms_per_event": round(cpu["worker"] * 1000 / len(commits), 2),
        "load_average": round(os.getloadavg()[0], 1),
    }


def measure(env: dict, args: argparse.Namespace) -> dict:
    manage("migrate", "--verbosity", "0", env=env)
    snippet = SETUP_SNIPPET.format(tickets=args.tickets, clients=args.clients)
    setup = json.loads(manage("shell", "-c", snippet, env=env).strip().splitlines()[-1])
    with whole_system(env) as (url, pid):
        processes = process_tree(pid)

        async def phases() -> dict:
            sockets = Sockets(url, setup["sessions"], setup["cursor"])
            await sockets.open()
            try:
                steady = await run_phase(sockets, env, setup["tickets"], args.events, args.rate, processes)
                burst = await run_phase(sockets, env, setup["tickets"], args.burst, 0, processes)
            finally:
                await sockets.close()
            return {"steady": steady, "burst": burst}

        return asyncio.run(phases())


@contextlib.contextmanager
def mode_env(mode: str, redis_url: str) -> Iterator[dict[str, str]]:
    base = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "Q_SYNC")}
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **base,
            "HELPDESK_VAR_DIR": tmp,
            "Q_CLUSTER_NAME": f"benchlive{os.getpid()}{mode}",
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "LOG_LEVEL": "WARNING",
        }
        if mode == "embedded":
            yield {**env, "DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3"}
            return
        with fresh_postgres(f"bench_live_{mode}") as database_url:
            yield {
                **env,
                "DATABASE_URL": database_url,
                **({"REDIS_URL": redis_url} if mode == "redis" else {}),
            }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--tickets", type=int, default=20)
    parser.add_argument("--events", type=int, default=300, help="steady phase: events")
    parser.add_argument("--rate", type=float, default=20, help="steady phase: events per second")
    parser.add_argument("--burst", type=int, default=500, help="burst phase: events, as fast as possible")
    parser.add_argument("--modes", default="embedded,postgres,redis")
    parser.add_argument("--redis", default=os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/3"))
    args = parser.parse_args()
    print(f"{args.clients} agent sockets; steady {args.events} events at {args.rate}/s; burst {args.burst}")
    header = f"{'mode':<9} {'phase':<6} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'max ms':>7} "
    print(header + f"{'events/s':>9} {'deliv/s':>8} {'lost':>5} {'web cpu/deliv':>13} {'load':>5}")
    for mode in args.modes.split(","):
        with mode_env(mode, args.redis) as env:
            result = measure(env, args)
        for phase, r in result.items():
            print(
                f"{mode:<9} {phase:<6} {r['p50_ms']:>7} {r['p95_ms']:>7} {r['p99_ms']:>7} {r['max_ms']:>7} "
                f"{r['events_per_s']:>9} {r['deliveries_per_s']:>8} {r['lost']:>5} "
                f"{r['web_cpu_ms_per_delivery']:>10} ms {r['load_average']:>5}",
                flush=True,
            )


if __name__ == "__main__":
    main()
