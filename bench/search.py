"""Full-text search on a big helpdesk: GET /api/tickets/?search= over 100,000 tickets and 1,000,000
messages in PostgreSQL.

    python bench/search.py                      # build the data once (minutes), then measure
    python bench/search.py --rebuild            # drop and rebuild
    python bench/search.py --tickets 20000      # smaller (needs --rebuild to change)

Uses its own database (BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/h_workspace_bench).
Tickets are written with the search triggers switched off and their documents built afterwards in one
statement (what the migration's rebuild does per ticket), then the triggers are on again. Messages are
drawn from a skewed vocabulary (some words in most tickets, most words in few) of support phrases.

Each query of a mix (a rare word, a common word, two words, a prefix, a customer's e-mail, an
organization, a ticket number, words found only in internal notes) is requested through Django's test
client as a lead (sees every ticket) and as a team agent (sees one team's), --rounds times, and the
p50/p95/max of the whole request (query, count, page of 25 with snippets, JSON) are printed.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/h_workspace_bench")

COMMON = [
    "the",
    "a",
    "to",
    "and",
    "please",
    "my",
    "we",
    "our",
    "is",
    "it",
    "not",
    "for",
    "on",
    "with",
    "this",
    "that",
    "have",
    "can",
    "you",
    "account",
    "invoice",
    "login",
    "error",
    "password",
    "payment",
    "order",
    "refund",
    "charge",
    "subscription",
    "plan",
    "upgrade",
    "export",
    "report",
    "dashboard",
    "api",
    "token",
    "email",
    "sync",
    "mobile",
    "app",
    "crash",
    "slow",
    "timeout",
    "page",
    "load",
    "user",
    "team",
    "admin",
    "access",
    "permission",
    "billing",
    "card",
    "declined",
    "update",
    "settings",
    "data",
    "import",
    "file",
    "upload",
    "download",
    "integration",
    "webhook",
    "calendar",
    "notification",
    "reset",
    "link",
    "expired",
    "trial",
    "cancel",
    "renewal",
    "contract",
    "seat",
    "license",
]
RARE = [
    f"{a}{b}" for a in ("zor", "quel", "brin", "tafa", "vemo", "sarn", "olix", "prad") for b in range(500)
]
VOCABULARY = COMMON + RARE
TRIGGERS = [
    ("helpdesk_ticket", "helpdesk_ticket_search_insert"),
    ("helpdesk_ticket", "helpdesk_ticket_search_update"),
    ("helpdesk_message", "helpdesk_ticket_search_message_insert"),
    ("helpdesk_message", "helpdesk_ticket_search_message_change"),
    ("helpdesk_message", "helpdesk_ticket_search_message_delete"),
]


def log(message: str) -> None:
    print(f"  {message}", flush=True)


def ensure_database(rebuild: bool) -> None:
    name = DATABASE_URL.rsplit("/", 1)[1]
    with psycopg.connect(DATABASE_URL.rsplit("/", 1)[0] + "/postgres", autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and rebuild:
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            admin.execute(f'CREATE DATABASE "{name}"')


def setup_django() -> None:
    os.environ["DATABASE_URL"] = DATABASE_URL
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.pop("REDIS_URL", None)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def words(rng: random.Random, n: int) -> str:
    # Skewed: a few words everywhere, most words rare.
    return " ".join(VOCABULARY[int(len(VOCABULARY) * rng.random() ** 3)] for _ in range(n))


def build(tickets: int, per_ticket: int) -> None:
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from helpdesk.models import Agent, Organization, Role, Team, Ticket, Tier

    call_command("migrate", verbosity=0)
    if Ticket.objects.filter(external_id__startswith="bench-").count() >= tickets:
        log(f"reusing {tickets:,} tickets")
        return
    rng = random.Random(7)
    started = time.monotonic()
    with connection.cursor() as cursor:
        for table, trigger in TRIGGERS:
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {trigger}")
    try:
        with transaction.atomic():
            User = get_user_model()
            tier, _ = Tier.objects.get_or_create(level=1, defaults={"name": "Frontline"})
            teams = [
                Team.objects.get_or_create(name=n)[0]
                for n in ("Billing", "Technical", "Accounts", "Security", "Sales")
            ]
            lead_user, _ = User.objects.get_or_create(username="bench-lead", defaults={"first_name": "Lena"})
            lead, _ = Agent.objects.get_or_create(user=lead_user, defaults={"tier": tier, "role": Role.LEAD})
            lead.teams.set(teams)
            agent_user, _ = User.objects.get_or_create(username="bench-agent", defaults={"first_name": "Ana"})
            agent, _ = Agent.objects.get_or_create(user=agent_user, defaults={"tier": tier})
            agent.teams.set(teams[:1])
            orgs = Organization.objects.bulk_create(
                [
                    Organization(
                        name=f"{rng.choice(['Acme', 'Globex', 'Initech', 'Umbrella', 'Vertex', 'Orbit'])} {n}"
                    )
                    for n in range(500)
                ]
            )
            firsts = ["Carla", "Olga", "Hank", "Mia", "Jon", "Ravi", "Yuki", "Lars", "Ana", "Tom"]
            lasts = ["Silva", "Meyer", "Ito", "Novak", "Berg", "Costa", "Khan", "Lopez", "Wolf", "Dahl"]
            customers = User.objects.bulk_create(
                [
                    User(
                        username=f"c{n}@bench.test",
                        email=f"c{n}@bench.test",
                        first_name=rng.choice(firsts),
                        last_name=rng.choice(lasts),
                    )
                    for n in range(10_000)
                ]
            )
            log(f"people in {time.monotonic() - started:.0f}s")
            now = timezone.now()
            batch = []
            for n in range(tickets):
                customer = customers[n % len(customers)]
                batch.append(
                    Ticket(
                        subject=words(rng, 5)[:200],
                        body=words(rng, 30),
                        customer=customer,
                        organization=orgs[n % len(orgs)],
                        team=teams[n % len(teams)],
                        tier=tier,
                        status=rng.choice(["open", "pending", "resolved", "closed", "closed"]),
                        created_at=now - timezone.timedelta(minutes=n),
                        external_id=f"bench-{n}",
                    )
                )
                if len(batch) == 5000:
                    Ticket.objects.bulk_create(batch)
                    batch = []
            Ticket.objects.bulk_create(batch)
            log(f"{tickets:,} tickets in {time.monotonic() - started:.0f}s")
        vocabulary = "ARRAY[" + ",".join(f"'{w}'" for w in VOCABULARY) + "]"
        with connection.cursor() as cursor:
            cursor.execute("SELECT setseed(0.7)")
            cursor.execute(
                f"""
                INSERT INTO helpdesk_message (ticket_id, author_id, author_kind, is_internal, channel, body,
                                              message_id, created_at)
                SELECT t.id, t.customer_id, CASE WHEN m %% 2 = 0 THEN 'agent' ELSE 'customer' END, m %% 7 = 0,
                       'email',
                       (SELECT string_agg(v.w[1 + floor(power(random(), 3) * array_length(v.w, 1))::int + 0 * g], ' ')
                        FROM generate_series(1, 12 + (t.id + m) %% 25) g WHERE g > 0 * m),
                       '', t.created_at + m * interval '1 minute'
                FROM helpdesk_ticket t CROSS JOIN generate_series(1, %s) m
                     CROSS JOIN (SELECT {vocabulary} AS w) v
                WHERE t.external_id LIKE 'bench-%%'
                """,
                [per_ticket],
            )
            log(f"{cursor.rowcount:,} messages in {time.monotonic() - started:.0f}s")
            cursor.execute(
                """
                INSERT INTO helpdesk_ticket_search (ticket_id, public_document, internal_document)
                SELECT t.id,
                    setweight(to_tsvector('simple', t.id::text || ' ' || t.subject), 'A')
                    || setweight(to_tsvector('simple', concat_ws(' ', u.first_name, u.last_name, u.email,
                                 translate(u.email, '@.', '  '), o.name)), 'B')
                    || setweight(to_tsvector('simple', t.body), 'C')
                    || setweight(to_tsvector('simple', coalesce(p.body, '')), 'D'),
                    to_tsvector('simple', coalesce(i.body, ''))
                FROM helpdesk_ticket t
                JOIN auth_user u ON u.id = t.customer_id
                LEFT JOIN helpdesk_organization o ON o.id = t.organization_id
                LEFT JOIN (SELECT ticket_id, string_agg(body, ' ' ORDER BY id) AS body FROM helpdesk_message
                           WHERE NOT is_internal GROUP BY ticket_id) p ON p.ticket_id = t.id
                LEFT JOIN (SELECT ticket_id, string_agg(body, ' ' ORDER BY id) AS body FROM helpdesk_message
                           WHERE is_internal GROUP BY ticket_id) i ON i.ticket_id = t.id
                ON CONFLICT (ticket_id) DO UPDATE SET public_document = EXCLUDED.public_document,
                    internal_document = EXCLUDED.internal_document
                """
            )
            log(f"search documents in {time.monotonic() - started:.0f}s")
            cursor.execute("VACUUM ANALYZE helpdesk_ticket_search")
            cursor.execute("ANALYZE helpdesk_ticket")
            cursor.execute("ANALYZE helpdesk_message")
    finally:
        with connection.cursor() as cursor:
            for table, trigger in TRIGGERS:
                cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {trigger}")


def measure(rounds: int) -> None:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    from helpdesk.models import Message, Organization, Ticket

    User = get_user_model()
    rng = random.Random(11)
    some_ticket = Ticket.objects.filter(external_id__startswith="bench-").order_by("?").first()
    org = Organization.objects.order_by("?").first()
    note = (
        Message.objects.filter(is_internal=True, ticket=some_ticket).first()
        or Message.objects.filter(is_internal=True).first()
    )
    note_word = max(note.body.split(), key=lambda w: (w in RARE, len(w)))
    mix = {
        "rare word": lambda: rng.choice(RARE[1000:]),
        "common word": lambda: rng.choice(COMMON[:30]),
        "two words": lambda: f"{rng.choice(COMMON[10:])} {rng.choice(RARE[:800])}",
        "prefix": lambda: rng.choice(RARE)[:5],
        "customer e-mail": lambda: f"c{rng.randrange(10_000)}@bench.test",
        "customer name": lambda: "carla silva",
        "organization": lambda: org.name,
        "ticket number": lambda: f"#{some_ticket.pk}",
        "word in a note": lambda: note_word,
    }
    print(
        f"\nGET /api/tickets/?search= on {Ticket.objects.count():,} tickets, {Message.objects.count():,} "
        f"messages ({connection.vendor}); {rounds} requests per query kind and role\n"
    )
    print(
        f"{'query':<18}{'role':<7}{'matches':>9}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'db p50':>9}{'db p95':>9}"
    )
    overall, overall_db = [], []
    spent = [0.0]

    def timed(execute, sql, params, many, context):
        t0 = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent[0] += time.perf_counter() - t0

    for role in ("bench-lead", "bench-agent"):
        client = Client()
        client.force_login(User.objects.get(username=role))
        for name, make in mix.items():
            times, db_times, matches = [], [], 0
            for i in range(rounds + 3):
                text = make()
                spent[0] = 0.0
                t0 = time.perf_counter()
                with connection.execute_wrapper(timed):
                    response = client.get("/api/tickets/", {"search": text}, secure=True)
                elapsed = (time.perf_counter() - t0) * 1000
                assert response.status_code == 200, (response.status_code, response.content[:300])
                if i >= 3:  # warm-up
                    times.append(elapsed)
                    db_times.append(spent[0] * 1000)
                    matches = max(matches, response.json()["count"])
            times.sort()
            db_times.sort()
            overall.extend(times)
            overall_db.extend(db_times)
            print(
                f"{name:<18}{role[6:]:<7}{matches:>9,}{statistics.median(times):>9.1f}{p95(times):>9.1f}"
                f"{times[-1]:>9.1f}{statistics.median(db_times):>9.1f}{p95(db_times):>9.1f}"
            )
    overall.sort()
    overall_db.sort()
    print(
        f"\nall queries: p50 {statistics.median(overall):.1f} ms, p95 {p95(overall):.1f} ms "
        f"(database: p50 {statistics.median(overall_db):.1f} ms, p95 {p95(overall_db):.1f} ms)"
    )
    print(f"load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


def p95(values: list[float]) -> float:
    return values[int(0.95 * (len(values) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--messages-per-ticket", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--rebuild", action="store_true")
    args = parser.parse_args()
    ensure_database(args.rebuild)
    setup_django()
    build(args.tickets, args.messages_per_ticket)
    measure(args.rounds)


if __name__ == "__main__":
    main()
