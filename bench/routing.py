"""Routing speed: decisions per second, latency of one decision, SQL queries per decision.

Run against your own PostgreSQL database (it is migrated and filled on first use):

    psql -h 127.0.0.1 -U postgres -c 'create database bench_routing'
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_routing \\
        /work/venv/bin/python bench/routing.py [--decisions 2000] [--agents 200] [--skills 20] [--tickets 100000]

The world: 200 agents over 3 tiers and 10 teams, 20 skills (2 per team, required by that team's two
categories), 100,000 historical tickets (about 2% still open and assigned, so agents carry load). Each
measured decision routes a fresh unassigned ticket through the full pipeline (triage fallback, rules,
score, candidates, claim under row lock, assignment, events, decision record, notification), four ways:
- "one at a time": routing.route per ticket, as when tickets arrive slower than they are routed; its
  latency is what one ticket waits for its agent;
- "backlog tasks": each ticket's routing task (escalation.tasks.route_ticket) over a backlog, as the
  worker runs them when tickets arrive faster: a task routes its ticket with up to BATCH_SIZE - 1
  other new ones (escalation.routing.batch), and the tasks of tickets a batch routed find them done. The
  "task time" is one task's duration: a batch, or the check of a ticket already routed;
each in one worker process, then in two at once.
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, connections, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from escalation import tasks  # noqa: E402
from escalation.routing import engine as routing  # noqa: E402
from helpdesk.models import (  # noqa: E402
    Agent,
    AgentSkill,
    AgentStatus,
    Category,
    Customer,
    Organization,
    Segment,
    Skill,
    Status,
    Team,
    Ticket,
    Tier,
)

TEAMS = 10
MARK = "bench-routing"


def populate(*, agents: int, skills: int, tickets: int, rng: random.Random) -> None:
    """Build the world once (idempotent: skipped when the bench tickets are already there)."""
    if Ticket.objects.filter(metadata__bench=MARK).exists():
        return
    print(f"populating: {agents} agents, {skills} skills, {tickets:,} tickets ...", flush=True)
    tiers = [Tier.objects.get_or_create(level=lv, defaults={"name": f"L{lv}"})[0] for lv in (1, 2, 3)]
    teams = [Team.objects.get_or_create(name=f"Bench team {i:02d}")[0] for i in range(TEAMS)]
    skill_rows = [Skill.objects.get_or_create(name=f"bench-skill-{i:02d}")[0] for i in range(skills)]
    categories = []
    for i, skill in enumerate(skill_rows):
        category, _ = Category.objects.get_or_create(
            name=f"Bench category {i:02d}", defaults={"team": teams[i % TEAMS], "keywords": [f"topic{i:02d}"]}
        )
        category.required_skills.set([skill])
        categories.append(category)
    User = get_user_model()
    staff = User.objects.bulk_create(User(username=f"bench-agent-{i:03d}") for i in range(agents))
    agent_rows = Agent.objects.bulk_create(
        Agent(
            user=user,
            tier=tiers[0 if i < agents * 0.6 else 1 if i < agents * 0.9 else 2],
            capacity=80,
            status=AgentStatus.AVAILABLE if rng.random() < 0.85 else AgentStatus.OFFLINE,
            work_start="00:00",
            work_end="00:00",
            work_days=[0, 1, 2, 3, 4, 5, 6],
        )
        for i, user in enumerate(staff)
    )
    memberships, agent_skills = [], []
    for i, agent in enumerate(agent_rows):
        own = {i % TEAMS} | ({rng.randrange(TEAMS)} if rng.random() < 0.3 else set())
        memberships += [Agent.teams.through(agent_id=agent.pk, team_id=teams[t].pk) for t in own]
        wanted = {s for s, c in zip(skill_rows, categories, strict=True) if teams.index(c.team) in own}
        wanted |= set(rng.sample(skill_rows, 2))
        agent_skills += [AgentSkill(agent=agent, skill=s, proficiency=rng.randint(1, 5)) for s in wanted]
    Agent.teams.through.objects.bulk_create(memberships)
    AgentSkill.objects.bulk_create(agent_skills)
    orgs = Organization.objects.bulk_create(
        Organization(
            name=f"Bench org {i}",
            segment=rng.choice(Segment.values),
            annual_contract_value=rng.randrange(0, 300_000, 500),
            renewal_date=timezone.localdate() + dt.timedelta(days=rng.randint(-10, 365)),
            churn_risk=round(rng.random() * 0.6, 2),
        )
        for i in range(300)
    )
    users = User.objects.bulk_create(User(username=f"bench-customer-{i}@example.com") for i in range(2000))
    Customer.objects.bulk_create(
        Customer(user=u, organization=orgs[i % len(orgs)]) for i, u in enumerate(users)
    )
    now = timezone.now()
    batch = []
    for _ in range(tickets):
        category = rng.choice(categories)
        customer = rng.randrange(len(users))
        still_open = rng.random() < 0.02
        batch.append(
            Ticket(
                subject=f"Question about topic{categories.index(category):02d}",
                body="Something is not working as expected.",
                customer=users[customer],
                organization=orgs[customer % len(orgs)],
                category=category,
                team=category.team,
                tier=tiers[0],
                assignee=rng.choice(agent_rows),
                status=Status.OPEN if still_open else rng.choice([Status.RESOLVED, Status.CLOSED]),
                created_at=now - dt.timedelta(minutes=rng.randint(60, 90 * 24 * 60)),
                metadata={"bench": MARK},
            )
        )
        if len(batch) == 5000:
            Ticket.objects.bulk_create(batch)
            batch.clear()
    Ticket.objects.bulk_create(batch)


def fresh_tickets(n: int, rng: random.Random) -> list[int]:
    """Unassigned new tickets, as intake leaves them (team from the category, tier 1)."""
    categories = list(Category.objects.filter(name__startswith="Bench category").select_related("team"))
    customers = list(
        Customer.objects.filter(user__username__startswith="bench-customer").select_related("user")[:2000]
    )
    tier = Tier.objects.get(level=1)
    rows = []
    for _ in range(n):
        category, customer = rng.choice(categories), rng.choice(customers)
        rows.append(
            Ticket(
                subject=f"New question about {category.keywords[0]}",
                body="Please help, this blocks our team.",
                customer=customer.user,
                organization_id=customer.organization_id,
                category=category,
                team=category.team,
                tier=tier,
                metadata={"bench": "fresh"},
            )
        )
    return [t.pk for t in Ticket.objects.bulk_create(rows)]


def route_all(ticket_ids: list[int]) -> list[float]:
    """Route each ticket on its own (routing.route); returns the latency of every decision in seconds."""
    latencies = []
    for pk in ticket_ids:
        start = time.perf_counter()
        routing.route([pk], "created").get(pk)
        latencies.append(time.perf_counter() - start)
    connection.close()
    return latencies


def run_tasks(ticket_ids: list[int]) -> list[float]:
    """Run each ticket's routing task, as the worker does with a backlog: a task routes its ticket
    with up to BATCH_SIZE - 1 other new ones, and finds a ticket an earlier batch routed done.
    Returns the duration of every task in seconds."""
    durations = []
    for pk in ticket_ids:
        start = time.perf_counter()
        tasks.route_ticket(pk)
        durations.append(time.perf_counter() - start)
    connection.close()
    return durations


def report(label: str, latencies: list[float], wall: float, workers: int, what: str = "latency") -> None:
    ms = sorted(x * 1000 for x in latencies)
    p50, p95 = ms[len(ms) // 2], ms[int(len(ms) * 0.95)]
    total = len(ms) / wall
    print(
        f"{label:<20} {len(ms):>6} decisions in {wall:6.2f} s: {total:7.1f}/s total, "
        f"{total / workers:7.1f}/s per worker; {what} p50 {p50:5.2f} ms, p95 {p95:5.2f} ms"
    )


def measure(label: str, run, ids: list[int], workers: int, what: str = "latency") -> None:
    connections.close_all()  # children open their own connections
    start = time.perf_counter()
    if workers == 1:
        results = [run(ids)]
    else:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            results = pool.map(run, [ids[i::workers] for i in range(workers)])
    wall = time.perf_counter() - start
    report(label, [x for part in results for x in part], wall, workers, what)


def claim_floor(n: int = 1000) -> float:
    """The bare operation underneath a decision (MEASURED.md): lock one of 200 agent rows with
    SELECT ... FOR UPDATE SKIP LOCKED, update it, commit. Transactions per second, measured now."""
    ids = list(Agent.objects.values_list("pk", flat=True)[:200])
    start = time.perf_counter()
    for i in range(n):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT id FROM helpdesk_agent WHERE id = ANY(%s) ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED",
                [ids[i % len(ids) :] + ids[: i % len(ids)]],
            )
            cursor.execute(
                "UPDATE helpdesk_agent SET status_changed_at = now() WHERE id = %s", [cursor.fetchone()[0]]
            )
    return n / (time.perf_counter() - start)


def count_queries(ticket_ids: list[int]) -> list[int]:
    counts = []
    for pk in ticket_ids:
        with CaptureQueriesContext(connection) as captured:
            routing.route([pk], "created").get(pk)
        counts.append(len(captured))
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--decisions", type=int, default=2000, help="decisions per measurement")
    parser.add_argument("--agents", type=int, default=200)
    parser.add_argument("--skills", type=int, default=20)
    parser.add_argument("--tickets", type=int, default=100_000)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Point DATABASE_URL at your own PostgreSQL database (see the docstring).")
    rng = random.Random(3)
    call_command("migrate", verbosity=0)
    populate(agents=args.agents, skills=args.skills, tickets=args.tickets, rng=rng)
    # Tickets routed by earlier runs of this bench are closed, so every run starts from the same load.
    Ticket.objects.filter(metadata__bench="fresh").exclude(status=Status.CLOSED).update(status=Status.CLOSED)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # fresh planner statistics after the bulk load
    print(
        f"world: {Agent.objects.count()} agents, {Skill.objects.count()} skills, "
        f"{Ticket.objects.count():,} tickets ({Ticket.objects.filter(status__in=['new', 'open']).count():,} open)"
    )

    print(
        "load average (1/5/15 min): {:.1f} {:.1f} {:.1f} on {} cores".format(*os.getloadavg(), os.cpu_count())
    )
    floor = claim_floor()
    print(f"floor: bare claim transaction (lock + update + commit) {floor:.0f} tx/s, 1 connection")
    route_all(fresh_tickets(50, rng))  # warm up caches and connections
    counts = count_queries(fresh_tickets(200, rng))
    print(
        f"queries per decision, one at a time: min {min(counts)}, median {statistics.median(counts):g}, max {max(counts)}"
    )
    backlog = fresh_tickets(200, rng)
    with CaptureQueriesContext(connection) as captured:
        run_tasks(backlog)
    print(f"queries per decision, backlog of 200 through the tasks: {len(captured) / len(backlog):.1f}")

    measured = []
    for label, run, workers, what in [
        ("one at a time, 1", route_all, 1, "latency"),
        ("one at a time, 2", route_all, 2, "latency"),
        ("backlog tasks, 1", run_tasks, 1, "task time"),
        ("backlog tasks, 2", run_tasks, 2, "task time"),
    ]:
        ids = fresh_tickets(args.decisions, rng)
        measured += ids
        measure(label, run, ids, workers, what)
    assigned = Ticket.objects.filter(pk__in=measured, assignee__isnull=False).count()
    print(f"assigned {assigned} of {len(measured)} measured tickets (the rest wait: no room or no skill)")
    print(f"(per worker, the bare claim floor above is {floor:.0f} tx/s)")


if __name__ == "__main__":
    main()
