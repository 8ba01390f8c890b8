"""Bench: one SLA sweep over 100,000 open tickets of which 1% are due.

Run against your own PostgreSQL database (it migrates and loads the data on first use):

    createdb bench_sla   # psql -h 127.0.0.1 -U postgres -c 'create database bench_sla'
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_sla \
    REDIS_URL=redis://127.0.0.1:6379/2 Q_CLUSTER_NAME=sla_bench \
    python bench/sla.py [--open 100000] [--due-share 0.01] [--runs 5]

Open tickets that are not due wait for a score-refresh checkpoint later on. The due ones, recreated
before every run, are a mix of three kinds: at a score-refresh checkpoint (recompute the score only),
at the 75% warning (event, notification, e-mail task), and past the first-response due time (breach
event, lead notification, hierarchical escalation, routing task). Several mixes are measured. Background
tasks are only enqueued (no worker runs), as the scheduled sweep does; their queue is emptied afterwards.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from escalation.models.sla import BreachAction, SlaPolicy, TicketSla  # noqa: E402
from escalation.sla.sweep import sweep_sla  # noqa: E402
from helpdesk.models import Agent, AgentStatus, Customer, Organization, Status, Team, Ticket, Tier  # noqa: E402

M = dt.timedelta(minutes=1)
AGES = {"refresh": 32 * M, "warning": 46 * M, "breach": 61 * M}  # how long ago each kind arrived
MIXES = {  # share of refresh-only, warning, breach+escalation among the due tickets
    "refresh only": (1.0, 0.0, 0.0),
    "typical (70/20/10)": (0.7, 0.2, 0.1),
    "heavy (40/30/30)": (0.4, 0.3, 0.3),
    "all breach + escalation": (0.0, 0.0, 1.0),
}


def cast():
    tier1, _ = Tier.objects.get_or_create(level=1, defaults={"name": "Frontline"})
    Tier.objects.get_or_create(level=2, defaults={"name": "Specialist"})
    team, _ = Team.objects.get_or_create(name="Bench")
    User = get_user_model()
    agents = []
    for i in range(40):
        user, _ = User.objects.get_or_create(
            username=f"bench-agent-{i}", defaults={"email": f"a{i}@bench.example"}
        )
        agent, created = Agent.objects.get_or_create(
            user=user,
            defaults={
                "tier": tier1,
                "capacity": 10_000,
                "status": AgentStatus.AVAILABLE,
                "work_days": list(range(7)),
            },
        )
        if created:
            agent.teams.add(team)
        agents.append(agent)
    if team.lead_id is None:
        team.lead = agents[0]
        team.save()
    customer, _ = User.objects.get_or_create(username="bench-customer", defaults={"email": "c@bench.example"})
    org, _ = Organization.objects.get_or_create(name="Bench Corp")
    Customer.objects.get_or_create(user=customer, defaults={"organization": org})
    SlaPolicy.objects.get_or_create(
        name="Bench tier 1",
        defaults={
            "tier": tier1,
            "first_response_minutes": 60,
            "next_reply_minutes": 120,
            "resolution_minutes": 480,
            "first_response_action": BreachAction.HIERARCHICAL,
            "open_age_hours": None,
        },
    )
    return tier1, team, agents, customer, org


def create_tickets(count, *, kind, ages, tier, team, agents, customer, org, now):
    """Bulk-create open tickets with their SLA state; `ages` maps each to how long ago it arrived."""
    tickets = [
        Ticket(
            subject=f"Bench {kind} {i}",
            body="Bench ticket.",
            status=Status.OPEN,
            tier=tier,
            team=team,
            assignee=agents[i % len(agents)],
            customer=customer,
            organization=org,
            created_at=now - ages(i),
            last_customer_message_at=now - ages(i),
            priority_score=40.0,
            metadata={"bench": kind},
        )
        for i in range(count)
    ]
    for ticket in tickets:
        ticket.first_response_due = ticket.created_at + 60 * M
        ticket.resolution_due = ticket.created_at + 480 * M
    Ticket.objects.bulk_create(tickets, batch_size=5000)
    states = []
    for ticket in tickets:
        age = now - ticket.created_at
        state = TicketSla(ticket=ticket, touched_at=ticket.created_at, awaiting_reply_since=ticket.created_at)
        if age >= 61 * M:
            state.first_response_warned_at = ticket.created_at + 45 * M
            state.next_check_at = ticket.created_at + 60 * M
        elif age >= 45 * M:
            state.next_check_at = ticket.created_at + 45 * M
        else:
            state.next_check_at = ticket.created_at + 30 * M
        states.append(state)
    TicketSla.objects.bulk_create(states, batch_size=5000)


def ensure_base(open_count, people, now):
    existing = Ticket.objects.filter(metadata__bench="base").count()
    if existing < open_count:
        print(f"loading {open_count - existing:,} open tickets ...", flush=True)
        create_tickets(open_count - existing, kind="base", ages=lambda i: (i % 25) * M, now=now, **people)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    # Not due: their next checkpoint is still ahead.
    TicketSla.objects.filter(ticket__metadata__bench="base").update(next_check_at=now + 30 * M)


def fresh_due_set(due, mix, people, now):
    Ticket.objects.filter(metadata__bench__in=list(AGES)).delete()
    for kind, share in zip(AGES, mix, strict=True):
        create_tickets(round(due * share), kind=kind, ages=lambda i, age=AGES[kind]: age, now=now, **people)


def empty_task_queue():
    if settings.REDIS_URL:
        from django_q.brokers import get_broker

        get_broker().purge_queue()
    else:
        from django_q.models import OrmQ

        OrmQ.objects.all().delete()


def backend_cpu() -> float:
    """CPU seconds the PostgreSQL backend serving this connection has used (from /proc: local server)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def timed_sweep():
    """Wall time, and CPU time of this process plus its database backend: on this shared, often
    overloaded 2-core machine the wall time mostly measures waiting for a core; the CPU time is what
    the sweep itself costs (an idle machine's wall time is about that plus commit flushes)."""
    cpu_before, db_before = time.process_time(), backend_cpu()
    started = time.perf_counter()
    report = sweep_sla()
    wall = time.perf_counter() - started
    cpu = time.process_time() - cpu_before + backend_cpu() - db_before
    return wall, cpu, report


def floor() -> str:
    """This moment's round-trip costs, to read the numbers against (the machine is shared and noisy)."""
    pk = Ticket.objects.values_list("pk", flat=True).first()
    with connection.cursor() as cursor:
        started = time.perf_counter()
        for _ in range(200):
            cursor.execute("SELECT 1")
        select_one = (time.perf_counter() - started) / 200
    started = time.perf_counter()
    for _ in range(200):
        Ticket.objects.get(pk=pk)
    orm_get = (time.perf_counter() - started) / 200
    load = os.getloadavg()[0]
    return f"load {load:.1f} on {os.cpu_count()} cores; SELECT 1 {select_one * 1000:.2f} ms, ORM get {orm_get * 1000:.2f} ms"


def measure(due, mix, people, runs, open_count):
    """Median sweep time over `runs` fresh due sets; checks the sweep right after finds nothing."""
    times, cpus = [], []
    for _ in range(runs):
        now = timezone.now()
        ensure_base(open_count - due, people, now)
        fresh_due_set(due, mix, people, now)
        elapsed, cpu, report = timed_sweep()
        *_, second = timed_sweep()
        empty_task_queue()
        assert report.checked == due and second.checked == 0 and not second.lines, (
            report.summary(),
            second.summary(),
        )
        times.append(elapsed)
        cpus.append(cpu)
    now = timezone.now()
    ensure_base(open_count - due, people, now)
    fresh_due_set(due, mix, people, now)
    queries = []
    with connection.execute_wrapper(lambda execute, sql, *rest: queries.append(sql) or execute(sql, *rest)):
        sweep_sla()
    empty_task_queue()
    return statistics.median(times), statistics.median(cpus), len(queries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--open", type=int, default=100_000, help="open tickets (default 100,000)")
    parser.add_argument("--due-share", type=float, default=0.01, help="share of them due (default 0.01)")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Run this against PostgreSQL: set DATABASE_URL to your own bench database.")
    settings.DEBUG = False
    call_command("migrate", verbosity=0)
    tier, team, agents, customer, org = cast()
    people = {"tier": tier, "team": team, "agents": agents, "customer": customer, "org": org}
    due = round(args.open * args.due_share)
    broker = "Redis" if settings.REDIS_URL else "ORM"
    Ticket.objects.filter(metadata__bench__in=list(AGES)).delete()  # what an earlier run left
    ensure_base(args.open - due, people, timezone.now())
    print(f"PostgreSQL, {broker} broker; {args.open:,} open tickets, {due:,} due; median of {args.runs} runs")
    print(f"  floor now: {floor()}")
    idle = [timed_sweep() for _ in range(args.runs)]
    print(f"  {'':<26} {'wall':>9} {'CPU':>9}   (CPU = this process + its database backend)")
    wall, cpu = statistics.median(r[0] for r in idle), statistics.median(r[1] for r in idle)
    print(f"  {'nothing due':<26} {wall * 1000:6.0f} ms {cpu * 1000:6.0f} ms")
    for name, mix in MIXES.items():
        wall, cpu, queries = measure(due, mix, people, args.runs, args.open)
        print(
            f"  {name:<26} {wall * 1000:6.0f} ms {cpu * 1000:6.0f} ms   "
            f"{queries / due:4.1f} queries per due ticket"
        )
    small = max(1, due // 10)
    wall, cpu, _ = measure(small, MIXES["typical (70/20/10)"], people, args.runs, args.open)
    print(f"  {f'typical, {small:,} due':<26} {wall * 1000:6.0f} ms {cpu * 1000:6.0f} ms")
    print(f"  floor now: {floor()}")
    with connection.cursor() as cursor:
        cursor.execute(
            "EXPLAIN SELECT * FROM escalation_ticketsla WHERE next_check_at <= now() "
            "ORDER BY next_check_at LIMIT 200 FOR UPDATE SKIP LOCKED"
        )
        plan = " / ".join(row[0].strip() for row in cursor.fetchall()[:3])
    print(f"  claim query plan: {plan}")


if __name__ == "__main__":
    main()
