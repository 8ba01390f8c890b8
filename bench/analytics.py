"""Analytics on a big history: every page and endpoint timed on 1,000,000 tickets in PostgreSQL.

    python bench/analytics.py                     # build bench_analytics once (minutes), then measure
    python bench/analytics.py --rebuild           # drop and rebuild the history
    python bench/analytics.py --tickets 200000    # a smaller history (needs --rebuild to change)
    python bench/analytics.py --last 365          # every page over the last 365 days (default: 90)
    python bench/analytics.py --last 365 --only overview timing   # some pages only

Uses its own database (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/bench_analytics).
Each page is requested through Django's test client as a team lead: after one priming pass over all
pages, once with the report cache empty ("cold": the report is computed) and then --runs times ("warm");
it prints the times and the number of SQL queries of each. Before that it builds the day facts the
pages read (once: the first run after a rebuild) and times keeping them current.
"""

from __future__ import annotations

import argparse
import datetime
import os
import statistics
import sys
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench_analytics")


def log(message: str) -> None:
    print(f"  {message}", flush=True)


def ensure_database(rebuild: bool) -> None:
    name = DATABASE_URL.rsplit("/", 1)[1]
    with psycopg.connect(DATABASE_URL.rsplit("/", 1)[0] + "/postgres", autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and rebuild:
            admin.execute(f'DROP DATABASE "{name}"')
            exists = None
        if not exists:
            admin.execute(f'CREATE DATABASE "{name}"')


def setup_django() -> None:
    os.environ["DATABASE_URL"] = DATABASE_URL
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.pop("REDIS_URL", None)  # in-process cache: the bench measures the database, not Redis
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def build(tickets: int, days: int) -> None:
    from django.core.management import call_command

    from bench.analytics_data import add_people, generate
    from helpdesk.models import Ticket

    call_command("migrate", verbosity=0)
    if Ticket.objects.filter(metadata__bench=True).exists():
        log(f"history present: {Ticket.objects.count():,} tickets (use --rebuild to regenerate)")
        return
    print(f"Building {tickets:,} tickets over {days} days ...", flush=True)
    started = time.perf_counter()
    call_command("seed_demo", tickets=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    add_people(log)
    generate(tickets=tickets, days=days, log=log)
    log(f"built in {time.perf_counter() - started:.0f} s")


def measure_facts() -> None:
    """The day facts the pages read: built once for the whole history, then kept current."""
    from django.utils import timezone

    from analytics.facts import store
    from analytics.models import FactColumn, FactDay
    from helpdesk.models import TicketEvent

    started = time.perf_counter()
    days = store.refresh()
    if days:
        size = sum(len(data) for data in FactColumn.objects.values_list("data", flat=True).iterator())
        log(
            f"day facts: {len(days)} days built in {time.perf_counter() - started:.1f} s ({size / 1e6:.0f} MB)"
        )
    started = time.perf_counter()
    store.refresh()
    log(f"day facts: checking that nothing changed {(time.perf_counter() - started) * 1000:.1f} ms")
    # A day of changes: the events of the last 24 hours touch tickets created on a few days.
    since = timezone.now() - datetime.timedelta(days=1)
    touched = TicketEvent.objects.filter(created_at__gte=since)
    created = {timezone.localdate(c) for c in touched.values_list("ticket__created_at", flat=True).distinct()}
    FactDay.objects.filter(day__in=created).update(stale=True)
    started = time.perf_counter()
    store.refresh()
    log(
        f"day facts: a day of changes ({touched.count():,} events on tickets of {len(created)} days) "
        f"rebuilt in {(time.perf_counter() - started) * 1000:.0f} ms"
    )
    # What a report pays at most when the worker has not yet read the newest change: today's tickets.
    from helpdesk.events import event_record
    from helpdesk.models import Ticket

    newest = Ticket.objects.order_by("-created_at").first()
    event_record(ticket=newest, code="sla.warning", reason="bench: one change")
    started = time.perf_counter()
    rebuilt = store.refresh()
    log(
        f"day facts: one new event on a ticket of {rebuilt[0]} ({FactDay.objects.get(day=rebuilt[0]).tickets:,} "
        f"tickets that day) read in {(time.perf_counter() - started) * 1000:.0f} ms"
    )


def measure(
    runs: int, last: int | None = None, only: list[str] | None = None
) -> list[tuple[str, float, float, float, int, int]]:
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from analytics.metrics import PAGES
    from helpdesk.models import Agent, Role, Ticket, TicketEvent

    print(
        f"History: {Ticket.objects.count():,} tickets, {TicketEvent.objects.count():,} events "
        f"(PostgreSQL {connection.cursor().connection.info.server_version})",
        flush=True,
    )
    client = Client()
    client.force_login(Agent.objects.filter(role=Role.LEAD).first().user)
    last_year = "since=" + (datetime.date.today() - datetime.timedelta(days=364)).isoformat()
    paths = [(slug, "/analytics/" + ("" if slug == "overview" else f"{slug}/")) for slug in PAGES]
    if last is not None:
        # Every page over the last `last` days (today included): the range is the page's only filter.
        since = "?since=" + (datetime.date.today() - datetime.timedelta(days=last - 1)).isoformat()
        paths = [(f"{slug}, last {last} days", path + since) for slug, path in paths]
        paths = [(name, path) for name, path in paths if not only or name.split(",")[0] in only]
    paths += (
        [
            ("api escalations by=team", "/api/analytics/escalations/?by=team"),
            ("api escalations by=agent", "/api/analytics/escalations/?by=agent"),
            ("csv escalations/by_category", "/analytics/escalations/by_category.csv"),
            ("overview, team filter", "/analytics/?team=Billing"),
            ("escalations, agent filter", "/analytics/escalations/?agent=bench-billing-1-0"),
            ("overview, whole year", "/analytics/?" + last_year),
            ("timing, whole year", "/analytics/timing/?" + last_year),
        ]
        if last is None
        else []
    )
    # One pass first, so that "cold" below is the report's computation, not this process's first
    # template compilation, imports and connection set-up.
    for _, path in paths:
        client.get(path, secure=True)
    results = []
    for name, path in paths:
        cache.clear()
        with CaptureQueriesContext(connection) as cold_queries:
            started = time.perf_counter()
            response = client.get(path, secure=True)
            cold = time.perf_counter() - started
        assert response.status_code == 200, (path, response.status_code)
        timings = []
        for _ in range(runs):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                client.get(path, secure=True)
                timings.append(time.perf_counter() - started)
        warm = statistics.median(timings)
        counts = (len(cold_queries.captured_queries), len(queries.captured_queries))
        results.append((name, cold, warm, max(timings), *counts))
        print(
            f"  {name:<30} cold {cold * 1000:6.0f} ms ({counts[0]:2d} queries)   "
            f"warm median {warm * 1000:5.0f} ms, max {max(timings) * 1000:5.0f} ms ({counts[1]:2d} queries)",
            flush=True,
        )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=365, help="Spread the history over this many days.")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--build-only", action="store_true")
    parser.add_argument("--last", type=int, help="Every page over the last N days only (e.g. 90, 365).")
    parser.add_argument("--only", nargs="*", help="With --last: only these pages (slugs).")
    options = parser.parse_args()
    ensure_database(options.rebuild)
    setup_django()
    build(options.tickets, options.days)
    if not options.build_only:
        measure_facts()
        measure(options.runs, options.last, options.only)


if __name__ == "__main__":
    main()
