"""Load: the production topology under mixed traffic for a bounded time, then a routing audit.

    python bench/load.py [--seconds 60] [--portal 3] [--api 2] [--agents 2] [--sockets 8]
                         [--redis redis://127.0.0.1:6379/1] [--time-limit 420]

Starts what docs/deploy/ runs: the web as `uvicorn config.asgi:application --workers 2` and the worker as
`manage.py qcluster` (Q_WORKERS=2: two task processes), on a throw-away PostgreSQL database
(`bench_load`, created and dropped here) with Redis as broker, cache and channel layer. Settings are the
production ones (`config.settings`, DEBUG off) with every abuse limit at its default; everything listens
on 127.0.0.1 only. The demo cast is seeded with no history (`seed_demo --tickets 0`).

Closed-loop clients, no think time, for `--seconds` after a short warm-up:
- portal: customers signed in through the login form fill in /portal/tickets/new/ (GET, then POST with
  the CSRF and one-time tokens -> 302); each customer files at most 20 tickets (the per-hour limit),
  then the client moves on to the next customer (signing in again counts as `login`);
- api: POST /api/tickets/ with a token, one integration account per client (the staff rate is per
  account), for customers the portal clients do not use, with an Idempotency-Key;
- agents: the team queue page, then a reply (POST /api/tickets/{id}/messages/, session + CSRF) to a
  ticket listed there, rotating over five signed-in agents per client;
- sockets: agents on /ws/queue/ subscribed to their team queue, counting the event frames.

Prints requests/s, p50 and p95 per kind, errors (any unexpected status, timeout or dropped socket), and
afterwards, from the database: every ticket routed exactly once on arrival (one RoutingDecision with
trigger 'created' and first_routed_at set), none lost, no agent over capacity, and the routing lag.
Exits 1 on any error or failed check. Ctrl-C, SIGTERM and the hard time limit stop every process started.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import re
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx  # noqa: E402 - test extra (pyproject), as the other client-side benches
import psycopg  # noqa: E402
from websockets.asyncio.client import connect  # noqa: E402 - comes with uvicorn[standard]

from bench.common import ROOT, fresh_postgres, manage, server  # noqa: E402
from helpdesk.management.demo.credentials import parse_printed  # noqa: E402

TICKETS_PER_CUSTOMER = 20  # HELPDESK_TICKETS_PER_HOUR, the production default (set explicitly below)
AGENTS_PER_CLIENT = 5
OPEN = ["new", "open", "pending", "on_hold"]
SUBJECTS = [
    ("I was charged twice on my invoice", "The card shows two payments for the same invoice this month."),
    ("Password reset link expired", "I cannot sign in; the reset link says it expired."),
    ("API returns 500 errors", "Our integration gets server errors from the export endpoint since today."),
    (
        "Suspicious login from another country",
        "We saw a sign-in from an unknown location on an admin account.",
    ),
    ("How do I add a user to my team?", "Where do I invite a colleague to our workspace?"),
    ("Export to CSV is empty", "The report export downloads a file with only the header row."),
]
TOKEN_INPUT = re.compile(r'name="(csrfmiddlewaretoken|once)" value="([^"]*)"')
TICKET_LINK = re.compile(r'href="/agent/tickets/(\d+)/"')

ACCOUNTS_SNIPPET = """
import json
from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token
from helpdesk.models import Agent, Customer
User = get_user_model()
tokens = []
for i in range({api}):
    user, _ = User.objects.get_or_create(username=f"load-integration-{{i}}", defaults={{"is_staff": True}})
    tokens.append(Token.objects.get_or_create(user=user)[0].key)
customers = list(Customer.objects.order_by("pk").values_list("user__email", flat=True))
agents = list(Agent.objects.filter(role="agent").order_by("pk").values_list("user__username", flat=True))
print(json.dumps({{"tokens": tokens, "customers": customers, "agents": agents}}))
"""


@dataclass
class Stats:
    """What the clients saw: latencies per kind (measured window only), errors, websocket frames."""

    measure_from: float = 0.0
    measure_until: float = 0.0
    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    created: int = 0
    socket_events: int = 0

    def record(self, kind: str, started: float, error: str | None) -> None:
        if error:
            self.errors.append(f"{kind}: {error}")
        elif self.measure_from <= started < self.measure_until:
            self.latencies.setdefault(kind, []).append((time.monotonic() - started) * 1000)


@dataclass
class Plan:
    """Who the clients act as: passwords, integration tokens, customers for each channel, agents."""

    password: str
    tokens: list[str]
    portal_customers: list[list[str]]
    api_customers: list[str]
    agents: list[list[str]]


async def request(
    stats: Stats, kind: str, client: httpx.AsyncClient, method: str, path: str, expect: int, **kwargs
) -> httpx.Response | None:
    """One timed request; anything but the expected status is an error. Returns the response or None."""
    started = time.monotonic()
    try:
        response = await client.request(method, path, **kwargs)
    except httpx.HTTPError as exc:
        stats.record(kind, started, f"{type(exc).__name__} {method} {path}")
        return None
    error = None if response.status_code == expect else f"{response.status_code} {method} {path}"
    stats.record(kind, started, error)
    return None if error else response


def form_tokens(html: str) -> dict[str, str]:
    return dict(TOKEN_INPUT.findall(html))


async def sign_in(stats: Stats, url: str, username: str, password: str) -> httpx.AsyncClient:
    """A client with a session, signed in through the login form (as a browser does)."""
    client = httpx.AsyncClient(base_url=url, timeout=30)
    page = await request(stats, "login", client, "GET", "/accounts/login/", 200)
    if page is not None:
        data = {**form_tokens(page.text), "username": username, "password": password}
        await request(stats, "login", client, "POST", "/accounts/login/", 302, data=data)
    return client


async def portal_client(
    stats: Stats, url: str, plan: Plan, index: int, stop: float, first: httpx.AsyncClient
) -> None:
    """File tickets through the portal form; move to the next customer at the per-customer limit."""
    customers = iter(plan.portal_customers[index][1:])  # the first one is signed in already
    client, filed = first, 0
    for n in itertools.count():
        if time.monotonic() >= stop:
            break
        if filed == TICKETS_PER_CUSTOMER:
            await client.aclose()
            customer = next(customers, None)
            if customer is None:  # a 429 would follow: say so instead (raise --customers-per-portal)
                stats.errors.append(f"portal client {index}: every customer at the per-hour limit")
                return
            client, filed = await sign_in(stats, url, customer, plan.password), 0
        page = await request(stats, "portal form", client, "GET", "/portal/tickets/new/", 200)
        if page is None:
            continue
        subject, body = SUBJECTS[n % len(SUBJECTS)]
        data = {
            **form_tokens(page.text),
            "subject": f"{subject} (p{index}-{n})",
            "body": body,
            "category": "",
        }
        if await request(stats, "portal submit", client, "POST", "/portal/tickets/new/", 302, data=data):
            stats.created += 1
            filed += 1
    await client.aclose()


async def api_client(stats: Stats, url: str, token: str, customers: list[str], stop: float) -> None:
    headers = {"Authorization": f"Token {token}"}
    async with httpx.AsyncClient(base_url=url, timeout=30, headers=headers) as client:
        for n in itertools.count():
            if time.monotonic() >= stop:
                break
            subject, body = SUBJECTS[n % len(SUBJECTS)]
            payload = {
                "subject": f"{subject} (a{n})",
                "body": body,
                "customer_email": customers[n % len(customers)],
            }
            key = {"Idempotency-Key": uuid.uuid4().hex}
            if await request(
                stats, "api create", client, "POST", "/api/tickets/", 201, json=payload, headers=key
            ):
                stats.created += 1


async def agent_client(stats: Stats, clients: list[httpx.AsyncClient], stop: float) -> None:
    """Look at the team queue, reply to a ticket on it; each turn as the next of the client's agents."""
    for n in itertools.count():
        if time.monotonic() >= stop:
            break
        client = clients[n % len(clients)]
        page = await request(stats, "queue view", client, "GET", "/agent/?queue=team", 200)
        ids = TICKET_LINK.findall(page.text) if page is not None else []
        if not ids:
            continue
        headers = {"X-CSRFToken": client.cookies.get("csrftoken", "")}
        payload = {"body": f"Thanks, we are looking into it ({n})."}
        path = f"/api/tickets/{ids[n % len(ids)]}/messages/"
        await request(stats, "reply", client, "POST", path, 201, json=payload, headers=headers)


async def socket_client(stats: Stats, url: str, session: str, stop: float) -> None:
    """One queue-page socket; a socket closed before the end is an error."""
    ws_url = url.replace("http://", "ws://") + "/ws/queue/"
    try:
        async with connect(ws_url, additional_headers={"Cookie": f"sessionid={session}"}, origin=url) as ws:
            await ws.send(json.dumps({"type": "subscribe", "view": "queue", "query": "?queue=team"}))
            while (left := stop - time.monotonic()) > 0:
                with contextlib.suppress(TimeoutError):
                    message = json.loads(await asyncio.wait_for(ws.recv(), timeout=left))
                    stats.socket_events += message.get("type") == "event"
    except Exception as exc:  # noqa: BLE001 - any failure of a socket is reported as an error
        stats.errors.append(f"socket: {type(exc).__name__} {exc}")


async def traffic(url: str, plan: Plan, args: argparse.Namespace) -> Stats:
    """Sign everyone in, then run every client until the window closes."""
    stats = Stats()
    agents = [[await sign_in(stats, url, name, plan.password) for name in group] for group in plan.agents]
    portals = [await sign_in(stats, url, group[0], plan.password) for group in plan.portal_customers]
    flat_agents = [client for group in agents for client in group]
    if stats.errors:  # a sign-in failed: no traffic (the report shows why)
        for client in flat_agents + portals:
            await client.aclose()
        return stats
    start = time.monotonic()
    stats.measure_from, stats.measure_until = start + args.warmup, start + args.warmup + args.seconds
    stop = stats.measure_until
    jobs = [portal_client(stats, url, plan, i, stop, first) for i, first in enumerate(portals)]
    jobs += [api_client(stats, url, token, plan.api_customers, stop) for token in plan.tokens]
    jobs += [agent_client(stats, group, stop) for group in agents]
    sessions = [c.cookies.get("sessionid") for c in flat_agents[: args.sockets]]
    jobs += [socket_client(stats, url, session, stop) for session in sessions]
    await asyncio.gather(*jobs)
    for client in flat_agents:
        await client.aclose()
    return stats


def make_plan(env: dict[str, str], args: argparse.Namespace) -> Plan:
    """Seed the demo cast and split it between the clients."""
    manage("migrate", "-v0", env=env)
    credentials = parse_printed(manage("seed_demo", "--tickets", "0", env=env))
    snippet = ACCOUNTS_SNIPPET.format(api=args.api)
    accounts = json.loads(manage("shell", "--no-imports", "-c", snippet, env=env).strip().splitlines()[-1])
    customers, agents = accounts["customers"], accounts["agents"]
    per_portal = args.customers_per_portal
    portal = [customers[i * per_portal : (i + 1) * per_portal] for i in range(args.portal)]
    needed_agents = args.agents * AGENTS_PER_CLIENT
    if len(customers) <= args.portal * per_portal or len(agents) < needed_agents:
        raise SystemExit(f"the demo has {len(customers)} customers and {len(agents)} agents: too few")
    return Plan(
        password=credentials.shared_password,
        tokens=accounts["tokens"],
        portal_customers=portal,
        api_customers=customers[args.portal * per_portal :],
        agents=[agents[i * AGENTS_PER_CLIENT : (i + 1) * AGENTS_PER_CLIENT] for i in range(args.agents)],
    )


@contextlib.contextmanager
def worker(env: dict[str, str]) -> Iterator[subprocess.Popen]:
    """`manage.py qcluster` in its own process group; stopped as systemd does (SIGTERM, then SIGKILL)."""
    log = tempfile.NamedTemporaryFile("w", suffix=".log", delete=False)  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [sys.executable, "manage.py", "qcluster"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        time.sleep(3)
        if process.poll() is not None:
            raise RuntimeError(f"the worker did not start; see {log.name}")
        yield process
    finally:
        process.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=30)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)  # whatever of the group is left: no orphans
        process.wait()
        log.close()


def scalar(conn: psycopg.Connection, sql: str, *params: object) -> int:
    return conn.execute(sql, params).fetchone()[0]


def wait_for_routing(conn: psycopg.Connection, timeout: float) -> float:
    """Seconds until no ticket waits for its first routing (or the timeout)."""
    started = time.monotonic()
    while scalar(conn, "SELECT count(*) FROM helpdesk_ticket WHERE first_routed_at IS NULL"):
        if time.monotonic() - started > timeout:
            break
        time.sleep(0.5)
    return time.monotonic() - started


def audit(database_url: str, expected: int, timeout: float) -> dict:
    """Once routing has caught up: every ticket routed exactly once on arrival, no agent over capacity."""
    with psycopg.connect(database_url, autocommit=True) as conn:
        drain = wait_for_routing(conn, timeout)
        not_once = conn.execute(
            "SELECT t.id FROM helpdesk_ticket t LEFT JOIN escalation_routingdecision d "
            "ON d.ticket_id = t.id AND d.trigger = 'created' GROUP BY t.id HAVING count(d.id) <> 1"
        ).fetchall()
        over = conn.execute(
            "SELECT a.id FROM helpdesk_agent a JOIN helpdesk_ticket t ON t.assignee_id = a.id "
            "AND t.status = ANY(%s) GROUP BY a.id, a.capacity HAVING count(t.id) > a.capacity",
            (OPEN,),
        ).fetchall()
        lags = [
            row[0] * 1000
            for row in conn.execute(
                "SELECT extract(epoch FROM first_routed_at - created_at)::float FROM helpdesk_ticket "
                "WHERE first_routed_at IS NOT NULL"
            )
        ]
        return {
            "tickets": scalar(conn, "SELECT count(*) FROM helpdesk_ticket"),
            "expected": expected,
            "unrouted": scalar(conn, "SELECT count(*) FROM helpdesk_ticket WHERE first_routed_at IS NULL"),
            "not_routed_once": len(not_once),
            "over_capacity": len(over),
            "assigned": scalar(conn, "SELECT count(*) FROM helpdesk_ticket WHERE assignee_id IS NOT NULL"),
            "drain_s": drain,
            "lag_p50_ms": statistics.median(lags) if lags else 0.0,
            "lag_p95_ms": quantile(lags, 0.95),
        }


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))] if ordered else 0.0


def row(kind: str, values: list[float], seconds: float) -> str:
    p50 = statistics.median(values) if values else 0.0
    return f"{kind:<15}{len(values):>9}{len(values) / seconds:>8.1f}{p50:>9.0f}{quantile(values, 0.95):>9.0f}"


def report(stats: Stats, checks: dict, seconds: float, client_cpu: float) -> bool:
    """Print the figures; True when there was no error and every check passed."""
    print(f"{'kind':<15}{'requests':>9}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}")
    every: list[float] = []
    for kind in ("portal form", "portal submit", "api create", "queue view", "reply", "login"):
        values = stats.latencies.get(kind, [])
        every += values
        if values:
            print(row(kind, values, seconds))
    print(row("total", every, seconds))
    print(f"errors: {len(stats.errors)}" + "".join(f"\n  {e}" for e in stats.errors[:10]))
    print(f"websocket event frames received: {stats.socket_events} ({stats.socket_events / seconds:.1f}/s)")
    print(
        f"tickets: {checks['tickets']} in the database, {checks['expected']} created by the clients "
        f"(warm-up included); unrouted {checks['unrouted']}, not routed exactly once {checks['not_routed_once']}, "
        f"agents over capacity {checks['over_capacity']}; {checks['assigned']} assigned to an agent"
    )
    print(
        f"routing lag (created -> first routed): p50 {checks['lag_p50_ms']:.0f} ms, p95 {checks['lag_p95_ms']:.0f} ms; "
        f"backlog drained {checks['drain_s']:.1f} s after the traffic stopped"
    )
    print(f"load generator CPU: {client_cpu:.0%} of one core; load average now {os.getloadavg()[0]:.1f}")
    return (
        not stats.errors
        and checks["tickets"] == checks["expected"]
        and not any(checks[key] for key in ("unrouted", "not_routed_once", "over_capacity"))
    )


def bench_env(database_url: str, redis_url: str, var_dir: str) -> dict[str, str]:
    """Production settings with the abuse limits at their defaults (inherited overrides dropped)."""
    overrides = ("API_THROTTLE_", "LOGIN_", "HELPDESK_SOCKETS_PER_USER", "Q_SYNC", "DEBUG", "ALLOWED_HOSTS")
    base = {k: v for k, v in os.environ.items() if not k.startswith(overrides)}
    return {
        **base,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "SECRET_KEY": secrets.token_urlsafe(50),  # shared by the web and the worker processes
        "HELPDESK_VAR_DIR": var_dir,
        "HELPDESK_TICKETS_PER_HOUR": str(TICKETS_PER_CUSTOMER),
        "Q_WORKERS": "2",
        "Q_CLUSTER_NAME": f"benchload{os.getpid()}",
        "LOG_LEVEL": "WARNING",
    }


def on_signal(signum: int, _frame: object) -> None:
    """SIGTERM and the hard time limit unwind like Ctrl-C, through every `finally` that stops a process."""
    raise KeyboardInterrupt(f"stopped by signal {signum}")


def run(args: argparse.Namespace) -> bool:
    import redis

    broker = redis.Redis.from_url(args.redis)
    broker.flushdb()  # this bench's own Redis database: no stale tasks, counters or channel groups
    try:
        with fresh_postgres("bench_load") as database_url, tempfile.TemporaryDirectory() as var_dir:
            env = bench_env(database_url, args.redis, var_dir)
            plan = make_plan(env, args)
            with server(env, workers=2) as url, worker(env):
                cpu_before = time.process_time()
                stats = asyncio.run(traffic(url, plan, args))
                client_cpu = (time.process_time() - cpu_before) / (args.warmup + args.seconds)
                checks = audit(database_url, stats.created, timeout=args.drain)
            return report(stats, checks, args.seconds, client_cpu)
    finally:
        broker.flushdb()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60, help="measured window")
    parser.add_argument("--warmup", type=float, default=5, help="traffic before the window, not measured")
    parser.add_argument("--portal", type=int, default=3, help="portal clients (customers filing tickets)")
    parser.add_argument(
        "--customers-per-portal", type=int, default=20, help="customers each portal client may use"
    )
    parser.add_argument("--api", type=int, default=2, help="API clients (one integration account each)")
    parser.add_argument("--agents", type=int, default=2, help="agent clients (queue view + reply)")
    parser.add_argument("--sockets", type=int, default=8, help="agents with a live queue socket open")
    parser.add_argument("--drain", type=float, default=120, help="longest wait for routing afterwards, s")
    parser.add_argument("--redis", default=os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/1"))
    parser.add_argument("--time-limit", type=int, default=420, help="hard limit for the whole run, s")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGALRM, on_signal)
    signal.alarm(max(args.time_limit, int(args.seconds + args.warmup + args.drain) + 60))
    print(f"load average before: {' '.join(f'{x:.1f}' for x in os.getloadavg())}", flush=True)
    try:
        ok = run(args)
    except KeyboardInterrupt as exc:
        print(f"interrupted ({exc or 'Ctrl-C'}); every process started here is stopped", file=sys.stderr)
        sys.exit(130)
    signal.alarm(0)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
