"""Page latency and query counts with N tickets in PostgreSQL.

    python bench/pages.py [--tickets 10000] [--requests 200]

Seeds the demo org with N historical tickets into a throw-away database, starts the production server
(uvicorn, 1 worker), and times sequential requests (keep-alive) to the agent queues, a ticket page and
GET /api/tickets/. Query counts come from the same pages rendered in-process.
"""

from __future__ import annotations

import argparse
import http.client
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import fresh_postgres, manage, server  # noqa: E402

SESSION_SNIPPET = """
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.sessions.backends.db import SessionStore
from rest_framework.authtoken.models import Token
user = get_user_model().objects.get(username="lead")
s = SessionStore()
s[SESSION_KEY] = str(user.pk)
s[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
s[HASH_SESSION_KEY] = user.get_session_auth_hash()
s.create()
from helpdesk.models import Ticket
print(s.session_key, Token.objects.get(user__username="integration").key, Ticket.objects.order_by("-pk").values_list("pk", flat=True).first())
"""

QUERY_COUNT_SNIPPET = """
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.contrib.auth import get_user_model
client = Client()
client.force_login(get_user_model().objects.get(username="lead"))
for path in {paths!r}:
    with CaptureQueriesContext(connection) as ctx:
        auth = "Token {token}" if path.startswith("/api/") else ""
        status = client.get(path, secure=True, HTTP_AUTHORIZATION=auth).status_code  # production: HTTPS only
    print(path, status, len(ctx.captured_queries))
"""


def timed_gets(url: str, path: str, headers: dict[str, str], count: int) -> list[float]:
    parsed = urlparse(url)
    conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=30)
    timings = []
    for i in range(count + 10):
        start = time.perf_counter()
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        response.read()
        if response.status != 200:
            raise RuntimeError(f"{path} answered {response.status}")
        if i >= 10:  # the first requests warm caches and connections
            timings.append((time.perf_counter() - start) * 1000)
    conn.close()
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tickets", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    with fresh_postgres("bench_pages") as database_url:
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "DEBUG": "false",
            "DJANGO_SETTINGS_MODULE": "config.settings",
        }
        env.pop("REDIS_URL", None)
        manage("migrate", "-v0", env=env)
        manage("seed_demo", "--tickets", str(args.tickets), env=env)
        session, token, ticket_id = manage("shell", "--no-imports", "-c", SESSION_SNIPPET, env=env).split()
        pages = {
            "agent queue (all, by priority)": "/agent/?queue=all",
            "agent queue (all, any status, by SLA)": "/agent/?queue=all&status=any&sort=sla",
            "agent queue (page 50)": "/agent/?queue=all&status=any&page=50",
            "ticket page": f"/agent/tickets/{ticket_id}/",
            "GET /api/tickets/": "/api/tickets/",
            "GET /api/tickets/?status=closed&page=100": "/api/tickets/?status=closed&page=100",
        }
        print(
            f"{args.tickets} tickets; {args.requests} sequential requests per page after 10 warm-up requests\n"
        )
        print(f"{'page':<42}{'p50 ms':>9}{'p95 ms':>9}{'queries':>9}")
        counts = {}
        for line in manage(
            "shell",
            "--no-imports",
            "-c",
            QUERY_COUNT_SNIPPET.format(paths=list(pages.values()), token=token),
            env=env,
        ).splitlines():
            path, status, queries = line.rsplit(" ", 2)
            counts[path] = f"{queries}" if status == "200" else f"HTTP {status}"
        with server(env, workers=1) as url:
            for name, path in pages.items():
                headers = (
                    {"Authorization": f"Token {token}"}
                    if path.startswith("/api/")
                    else {"Cookie": f"sessionid={session}"}
                )
                timings = sorted(timed_gets(url, path, headers, args.requests))
                p95 = timings[int(len(timings) * 0.95) - 1]
                print(f"{name:<42}{statistics.median(timings):>9.1f}{p95:>9.1f}{counts[path]:>9}")


if __name__ == "__main__":
    main()
