"""A large escalation history for bench/analytics.py, generated inside PostgreSQL.

Python picks nothing per ticket: one plan row per ticket is drawn with random() in SQL, and tickets,
events and ratings are inserted from it with INSERT ... SELECT, so a million tickets take minutes,
not hours. The shapes follow the demo data: escalation more likely in some categories, functional vs
hierarchical moves, re-escalations, ping-pong, SLA-triggered escalations, ratings, abandoned tickets,
automatic answers and their rejections.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.db import connection, transaction

from helpdesk.management.demo import content
from helpdesk.management.demo.history import fill_text
from helpdesk.models import Agent, Customer, Organization, Role, Team, Tier

EXTRA_CUSTOMERS = 50_000
EXTRA_AGENTS_PER_TEAM_AND_TIER = {1: 24, 2: 8, 3: 3}
TEXT_VARIANTS = 6


def add_people(log: Callable[[str], None]) -> None:
    """Enough customers and agents that a million tickets spread like a big support org's."""
    User = get_user_model()
    organizations = list(Organization.objects.order_by("pk"))
    start = User.objects.count()
    users = User.objects.bulk_create(
        [
            User(username=f"bench-customer-{i}", email=f"bench-customer-{i}@bench.example", password="!")
            for i in range(EXTRA_CUSTOMERS)
        ],
        batch_size=5000,
    )
    Customer.objects.bulk_create(
        [Customer(user=u, organization=organizations[i % len(organizations)]) for i, u in enumerate(users)],
        batch_size=5000,
    )
    tiers = {t.level: t for t in Tier.objects.all()}
    for team in Team.objects.all():
        for level, count in EXTRA_AGENTS_PER_TEAM_AND_TIER.items():
            for i in range(count):
                user = User.objects.create(
                    username=f"bench-{team.name.lower()}-{level}-{i}",
                    first_name="Bench",
                    last_name=f"{team.name} L{level} {i}",
                )
                agent = Agent.objects.create(user=user, tier=tiers[level], role=Role.AGENT)
                agent.teams.set([team])
    log(f"people: {User.objects.count() - start} users added")


def _texts(rng: random.Random) -> list[tuple[int, int, str, str]]:
    from helpdesk.models import Category

    rows = []
    for category in Category.objects.all():
        templates = content.TEXTS.get(category.name, [("Question", "Please help.")])
        for i in range(TEXT_VARIANTS):
            subject, body = templates[i % len(templates)]
            rows.append((category.pk, i, fill_text(subject, rng)[:200], fill_text(body, rng)))
    return rows


STEPS = [
    (
        "reference tables",
        """
        DROP TABLE IF EXISTS b_cat, b_cust, b_pool, b_team, b_plan;
        CREATE UNLOGGED TABLE b_cat AS
            SELECT row_number() OVER (ORDER BY id) - 1 AS idx, id, team_id,
                   0.12 + 0.06 * (row_number() OVER (ORDER BY id) %% 5) AS p_escalate
            FROM helpdesk_category;
        CREATE UNLOGGED TABLE b_cust AS
            SELECT row_number() OVER (ORDER BY c.id) - 1 AS idx, c.user_id, c.organization_id
            FROM helpdesk_customer c;
        CREATE UNLOGGED TABLE b_team AS
            SELECT row_number() OVER (ORDER BY id) - 1 AS idx, id FROM helpdesk_team;
        CREATE UNLOGGED TABLE b_pool AS
            SELECT at.team_id, t.level,
                   row_number() OVER (PARTITION BY at.team_id, t.level ORDER BY a.id) - 1 AS idx,
                   count(*) OVER (PARTITION BY at.team_id, t.level) AS size, a.id AS agent_id
            FROM helpdesk_agent a
            JOIN helpdesk_agent_teams at ON at.agent_id = a.id
            JOIN helpdesk_tier t ON t.id = a.tier_id
            WHERE a.role = 'agent';
        CREATE INDEX ON b_pool (team_id, level, idx);
        """,
    ),
    (
        "plan: one row per ticket",
        """
        CREATE UNLOGGED TABLE b_plan AS
        WITH draw AS (
            SELECT g AS n,
                   date_trunc('second', now() - random() * make_interval(days => %(days)s)) AS created_at,
                   floor(random() * (SELECT count(*) FROM b_cat))::int AS cat_idx,
                   floor(random() * (SELECT count(*) FROM b_cust))::int AS cust_idx,
                   random() AS r_esc, random() AS r_kind, random() AS r_res, random() AS r_csat,
                   random() AS r_misc, random() AS r_a1, random() AS r_a2, random() AS r_time,
                   random() AS r_text, random() AS r_team
            FROM generate_series(1, %(tickets)s) g
        )
        SELECT d.*, c.id AS category_id, c.team_id, u.user_id AS customer_id, u.organization_id,
               (d.r_esc < c.p_escalate + CASE WHEN extract(isodow FROM d.created_at) = 5 THEN 0.08 ELSE 0 END)
                   AS escalated,
               d.created_at + make_interval(mins => (5 + 200 * d.r_time * d.r_time)::int) AS first_response_at
        FROM draw d JOIN b_cat c ON c.idx = d.cat_idx JOIN b_cust u ON u.idx = d.cust_idx;
        ALTER TABLE b_plan ADD COLUMN functional boolean, ADD COLUMN again boolean, ADD COLUMN bounce boolean,
            ADD COLUMN to_team_id bigint, ADD COLUMN escalated_at timestamptz, ADD COLUMN resolved_at timestamptz,
            ADD COLUMN agent1 bigint, ADD COLUMN agent2 bigint, ADD COLUMN final_level int, ADD COLUMN trigger text,
            ADD COLUMN autonomy text, ADD COLUMN id bigint;
        UPDATE b_plan SET
            functional = escalated AND r_kind < 0.3,
            again = escalated AND r_kind >= 0.3 AND r_kind < 0.42,
            bounce = escalated AND r_kind < 0.03,
            escalated_at = CASE WHEN escalated THEN first_response_at + (0.3 + 30 * r_misc * r_misc) * interval '1 hour' END,
            trigger = CASE WHEN r_misc < 0.15 THEN 'sla' WHEN r_misc < 0.2 THEN 'rule' ELSE 'manual' END,
            autonomy = CASE WHEN r_a2 < 0.12 THEN 'autonomous' WHEN r_a2 < 0.25 THEN 'review' ELSE 'human' END,
            id = n + (SELECT coalesce(max(id), 0) FROM helpdesk_ticket);
        UPDATE b_plan p SET to_team_id = t.id
            FROM b_team t, b_team s
            WHERE p.functional AND s.id = p.team_id
              AND t.idx = (s.idx + 1 + floor(p.r_team * ((SELECT count(*) FROM b_team) - 1))::int)
                          %% (SELECT count(*) FROM b_team);
        UPDATE b_plan SET
            final_level = CASE WHEN NOT escalated OR functional THEN 1 WHEN again THEN 3 ELSE 2 END,
            resolved_at = CASE WHEN r_res < 0.93 THEN
                coalesce(escalated_at + CASE WHEN again THEN interval '5 hours' WHEN bounce THEN interval '3 hours'
                                             ELSE interval '0 hours' END, first_response_at)
                + (0.2 + exp(r_res * 4.2) * CASE WHEN extract(isodow FROM created_at) = 5 THEN 1.8 ELSE 1 END)
                  * interval '1 hour' END;
        UPDATE b_plan SET resolved_at = NULL WHERE resolved_at > now();
        UPDATE b_plan p SET agent1 = a.agent_id FROM b_pool a
            WHERE a.team_id = p.team_id AND a.level = 1 AND a.idx = floor(p.r_a1 * a.size)::int;
        UPDATE b_plan p SET agent2 = a.agent_id FROM b_pool a
            WHERE p.escalated AND a.team_id = coalesce(p.to_team_id, p.team_id)
              AND a.level = CASE WHEN p.functional THEN 1 ELSE 2 END AND a.idx = floor(p.r_a2 * a.size)::int;
        """,
    ),
    (
        "tickets",
        """
        INSERT INTO helpdesk_ticket (
            id, subject, body, channel, language, status, priority, priority_score, category_source,
            created_at, updated_at,
            first_response_at, resolved_at, closed_at, last_customer_message_at, first_response_due,
            resolution_due, sla_breached, reopen_count, escalation_count, autonomy, requires_human, is_flagged,
            flag_reason, metadata, assignee_id, category_id, customer_id, organization_id, team_id, tier_id)
        SELECT p.id, x.subject, x.body,
               (ARRAY['portal','portal','portal','email','email','chat','phone','api'])[1 + floor(p.r_csat * 8)::int],
               'en',
               CASE WHEN p.resolved_at IS NULL THEN 'open' ELSE 'closed' END,
               (ARRAY['low','normal','normal','high','urgent'])[1 + floor(p.r_time * 5)::int],
               100 * p.r_misc, 'model', p.created_at, coalesce(p.resolved_at, p.created_at), p.first_response_at,
               p.resolved_at, p.resolved_at, p.created_at, p.created_at + interval '30 minutes',
               p.created_at + interval '1 day',
               p.first_response_at > p.created_at + interval '30 minutes'
                   OR coalesce(p.resolved_at, now()) > p.created_at + interval '1 day',
               CASE WHEN p.r_res > 0.86 AND p.resolved_at IS NOT NULL THEN 1 ELSE 0 END,
               CASE WHEN NOT p.escalated THEN 0 WHEN p.again OR p.bounce THEN 2 ELSE 1 END,
               p.autonomy, false, false, '', '{"bench": true}'::jsonb,
               coalesce(p.agent2, p.agent1), p.category_id, p.customer_id, p.organization_id,
               CASE WHEN p.functional AND NOT p.bounce THEN p.to_team_id ELSE p.team_id END,
               (SELECT id FROM helpdesk_tier WHERE level = p.final_level)
        FROM b_plan p
        JOIN (SELECT category_id, idx, subject, body FROM b_texts) x
          ON x.category_id = p.category_id AND x.idx = floor(p.r_text * %(variants)s)::int;
        SELECT setval(pg_get_serial_sequence('helpdesk_ticket', 'id'), (SELECT max(id) FROM helpdesk_ticket));
        """,
    ),
    (
        "events",
        """
        INSERT INTO helpdesk_ticketevent (ticket_id, code, trigger, reason, from_value, to_value, details, created_at,
                                          from_team_id, to_team_id, from_tier_id, to_tier_id, from_agent_id, to_agent_id)
        SELECT id, 'ticket.created', 'manual', '', '', '', '{}'::jsonb, created_at,
               NULL::bigint, team_id, NULL::bigint, NULL::bigint, NULL::bigint, NULL::bigint
            FROM b_plan
        UNION ALL
        SELECT id, 'ticket.assigned', 'routing', '', '', '', '{}', created_at + interval '1 minute',
               NULL, NULL, NULL, NULL, NULL, agent1 FROM b_plan
        UNION ALL
        SELECT id, 'message.agent', 'manual', '', '', '', '{}', first_response_at, NULL, NULL, NULL, NULL, NULL, NULL
            FROM b_plan
        UNION ALL
        SELECT id, CASE WHEN functional THEN 'escalation.functional' ELSE 'escalation.hierarchical' END, trigger,
               'Needs someone else.', '', '', '{}', escalated_at,
               team_id, coalesce(to_team_id, team_id), (SELECT id FROM helpdesk_tier WHERE level = 1),
               CASE WHEN functional THEN (SELECT id FROM helpdesk_tier WHERE level = 1) ELSE (SELECT id FROM helpdesk_tier WHERE level = 2) END, agent1, NULL
            FROM b_plan WHERE escalated
        UNION ALL
        SELECT id, 'ticket.assigned', 'routing', '', '', '', '{}', escalated_at + interval '30 seconds',
               NULL, NULL, NULL, NULL, agent1, agent2 FROM b_plan WHERE escalated
        UNION ALL
        SELECT id, 'escalation.hierarchical', 'manual', 'Needs an expert.', '', '', '{}',
               escalated_at + interval '5 hours', team_id, team_id, (SELECT id FROM helpdesk_tier WHERE level = 2), (SELECT id FROM helpdesk_tier WHERE level = 3), agent2, NULL
            FROM b_plan WHERE again
        UNION ALL
        SELECT id, 'escalation.functional', 'manual', 'Not ours: sending back.', '', '', '{}',
               escalated_at + interval '3 hours', to_team_id, team_id, (SELECT id FROM helpdesk_tier WHERE level = 1), (SELECT id FROM helpdesk_tier WHERE level = 1), agent2, NULL
            FROM b_plan WHERE bounce
        UNION ALL
        SELECT id, 'ticket.resolved', 'manual', '', 'open', 'resolved', '{}', resolved_at,
               NULL, NULL, NULL, NULL, NULL, coalesce(agent2, agent1) FROM b_plan WHERE resolved_at IS NOT NULL
        UNION ALL
        SELECT id, 'csat.rated', 'manual', '', '', '', '{}', resolved_at + interval '2 hours',
               NULL, NULL, NULL, NULL, NULL, NULL FROM b_plan WHERE resolved_at IS NOT NULL AND r_csat < 0.4
        UNION ALL
        SELECT id, 'sla.abandoned', 'sla', '', '', '', '{}', created_at + interval '4 hours',
               NULL, NULL, NULL, NULL, NULL, NULL FROM b_plan WHERE r_time > 0.98
        UNION ALL
        SELECT id, 'automation.replied', 'model', '', '', '', '{}', created_at + interval '10 seconds',
               NULL, NULL, NULL, NULL, NULL, NULL FROM b_plan WHERE autonomy = 'autonomous'
        UNION ALL
        SELECT id, 'automation.rejected', 'manual', '', '', '', '{}', created_at + interval '2 hours',
               NULL, NULL, NULL, NULL, NULL, NULL FROM b_plan WHERE autonomy = 'autonomous' AND r_csat > 0.8;
        """,
    ),
    (
        "ratings",
        """
        INSERT INTO helpdesk_csat (ticket_id, score, comment, what_went_wrong, created_at)
        SELECT id, greatest(1, least(5, round(4.4 - 1.2 * escalated::int - r_misc * 1.5 + r_a1)))::int, '', '',
               resolved_at + interval '2 hours'
        FROM b_plan WHERE resolved_at IS NOT NULL AND r_csat < 0.4;
        """,
    ),
    ("clean up", "DROP TABLE b_cat, b_cust, b_pool, b_team, b_plan, b_texts;"),
]


def _statements(sql: str) -> list[str]:
    """The step's SQL commands (no step has a semicolon inside a literal)."""
    return [statement.strip() for statement in sql.split(";") if statement.strip()]


def generate(*, tickets: int, days: int, log: Callable[[str], None], seed: int = 7) -> None:
    rng = random.Random(seed)
    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(%s)", [seed / 1000])
        cursor.execute("DROP TABLE IF EXISTS b_texts")
        cursor.execute("CREATE UNLOGGED TABLE b_texts (category_id bigint, idx int, subject text, body text)")
        cursor.executemany("INSERT INTO b_texts VALUES (%s, %s, %s, %s)", _texts(rng))
    for name, sql in STEPS:
        started = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            # One statement per execute: with server-side binding (the PostgreSQL settings) a prepared
            # statement holds a single command.
            for statement in _statements(sql):
                cursor.execute(statement, {"tickets": tickets, "days": days, "variants": TEXT_VARIANTS})
        log(f"{name}: {time.perf_counter() - started:.1f} s")
    with connection.cursor() as cursor:
        started = time.perf_counter()
        cursor.execute("VACUUM ANALYZE")
        log(f"vacuum analyze: {time.perf_counter() - started:.1f} s")
