"""Demo reference data: tiers, teams, skills, categories, agents, organizations, customers, articles.

Everything is get-or-create by natural key, so running the seed twice changes nothing.
"""

from __future__ import annotations

import datetime as dt
import random
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model

from helpdesk.management.demo import content
from helpdesk.models import (
    Agent,
    AgentSkill,
    AgentStatus,
    Article,
    Category,
    Customer,
    Organization,
    Role,
    Segment,
    Skill,
    Team,
    Tier,
)
from helpdesk.services.article_review import article_approve_seeded

ALL_DAYS = [0, 1, 2, 3, 4, 5, 6]
ON_CALL = (dt.time(0, 0), dt.time(0, 0))  # start == end means around the clock

SEGMENT_MIX = [(Segment.TRIAL, 12), (Segment.STANDARD, 24), (Segment.PREMIUM, 14), (Segment.ENTERPRISE, 10)]
CONTRACT_VALUE = {
    Segment.TRIAL: (0, 0),
    Segment.STANDARD: (3_000, 15_000),
    Segment.PREMIUM: (20_000, 60_000),
    Segment.ENTERPRISE: (80_000, 400_000),
}


@dataclass
class Cast:
    tiers: dict[int, Tier] = field(default_factory=dict)
    teams: dict[str, Team] = field(default_factory=dict)
    categories: dict[str, Category] = field(default_factory=dict)
    agents: list[Agent] = field(default_factory=list)
    customers: list = field(default_factory=list)  # users
    logins: list[tuple[str, str]] = field(default_factory=list)  # (who, username)
    new_accounts: bool = False  # this seeding created the demo accounts (and set their passwords)


def ascii_slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in plain.lower() if ch.isalnum() or ch in ".-")


def _user(
    username: str,
    *,
    first: str,
    last: str,
    email: str,
    password_hash: str,
    staff: bool = False,
    superuser: bool = False,
):
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=username,
        defaults={
            "first_name": first,
            "last_name": last,
            "email": email,
            "is_staff": staff,
            "is_superuser": superuser,
        },
    )
    if created:
        user.password = password_hash
        user.save(update_fields=["password"])
    return user


def build_structure(cast: Cast) -> None:
    for level, name, first_response, resolution in content.TIERS:
        cast.tiers[level], _ = Tier.objects.get_or_create(
            level=level,
            defaults={
                "name": name,
                "first_response_minutes": first_response,
                "resolution_minutes": resolution,
            },
        )
    for name, description in content.TEAMS.items():
        cast.teams[name], _ = Team.objects.get_or_create(name=name, defaults={"description": description})
    skills = {}
    for name, kind in content.SKILLS:
        skills[name], _ = Skill.objects.get_or_create(name=name, defaults={"kind": kind})
    for name, (team, required, automatable, keywords) in content.CATEGORIES.items():
        category, created = Category.objects.get_or_create(
            name=name,
            defaults={"team": cast.teams[team], "is_automatable": automatable, "keywords": keywords},
        )
        if created:
            category.required_skills.set([skills[s] for s in required])
        cast.categories[name] = category
    for title, category_name, body in content.ARTICLES:
        article, created = Article.objects.get_or_create(title=title, defaults={"body": body})
        if created:
            article.categories.add(cast.categories[category_name])
            article_approve_seeded(article=article)


def build_agents(cast: Cast, rng: random.Random, password_hash: str, admin_password_hash: str) -> None:
    team_names = list(content.TEAMS)
    skill_by_name = {s.name: s for s in Skill.objects.all()}
    team_skills = {
        team: sorted({s for cat, (t, req, _, _) in content.CATEGORIES.items() if t == team for s in req})
        for team in team_names
    }
    cast.new_accounts = not get_user_model().objects.filter(username="admin").exists()
    admin = _user(
        "admin",
        first="Ada",
        last="Admin",
        email="admin@helpdesk.example",
        password_hash=admin_password_hash,
        staff=True,
        superuser=True,
    )
    lead = _user(
        "lead",
        first="Lena",
        last="Lindqvist",
        email="lead@helpdesk.example",
        password_hash=password_hash,
        staff=True,
    )
    for user, role in ((admin, Role.ADMIN), (lead, Role.LEAD)):
        agent, created = Agent.objects.get_or_create(
            user=user,
            defaults={
                "role": role,
                "tier": cast.tiers[3],
                "capacity": 5,
                "status": AgentStatus.AVAILABLE,
                "work_start": ON_CALL[0],
                "work_end": ON_CALL[1],
                "work_days": ALL_DAYS,
                "timezone": "Europe/Berlin",
            },
        )
        if created:
            agent.teams.set(cast.teams.values())
    lead_agent = lead.agent
    Team.objects.filter(lead__isnull=True).update(lead=lead_agent)
    cast.logins += [
        ("admin (superuser, all queues, Django admin)", "admin"),
        ("team lead (all queues)", "lead"),
    ]

    for i in range(25):
        # Surnames shifted from the customers' pattern: the demo's first agent ("maria") and first
        # customer (maria.schmidt@…), the two logins the README offers, are two different people.
        first, last = content.FIRST_NAMES[i], content.LAST_NAMES[(i + 5) % len(content.LAST_NAMES)]
        username = ascii_slug(first)
        level = 1 if i < 12 else 2 if i < 20 else 3
        primary = team_names[i % len(team_names)]
        teams = [primary] + ([team_names[(i + 2) % len(team_names)]] if rng.random() < 0.3 else [])
        on_call = i < 10  # the first L1 agents of each team cover the clock
        user = _user(
            username,
            first=first,
            last=last,
            email=f"{username}@helpdesk.example",
            password_hash=password_hash,
        )
        agent, created = Agent.objects.get_or_create(
            user=user,
            defaults={
                "role": Role.AGENT,
                "tier": cast.tiers[level],
                "capacity": {1: 10, 2: 6, 3: 4}[level],
                "status": AgentStatus.AVAILABLE
                if on_call or rng.random() < 0.65
                else rng.choice([AgentStatus.AWAY, AgentStatus.OFFLINE]),
                "timezone": content.TIMEZONES[i % len(content.TIMEZONES)],
                "languages": ["en"]
                + ([rng.choice(["de", "es", "fr", "ja", "pt"])] if rng.random() < 0.4 else []),
                "work_start": ON_CALL[0] if on_call else dt.time(9, 0),
                "work_end": ON_CALL[1] if on_call else dt.time(17, 0),
                "work_days": ALL_DAYS if on_call else [0, 1, 2, 3, 4],
            },
        )
        if created:
            agent.teams.set([cast.teams[t] for t in teams])
            names = {s for t in teams for s in team_skills[t]}
            if rng.random() < 0.4:
                names.add("difficult-conversations")
            AgentSkill.objects.bulk_create(
                AgentSkill(
                    agent=agent, skill=skill_by_name[n], proficiency=min(5, max(1, level + rng.randint(0, 2)))
                )
                for n in sorted(names)
            )
        cast.agents.append(agent)
        if i in (0, 12, 20):
            cast.logins.append((f"agent, tier {level}, {primary}", username))
    cast.agents += [admin.agent, lead_agent]


def build_customers(cast: Cast, rng: random.Random, password_hash: str, today: dt.date) -> None:
    names = [f"{a} {b}" for a in content.ORG_WORDS_A for b in content.ORG_WORDS_B]
    rng.shuffle(names)
    segments = [segment for segment, count in SEGMENT_MIX for _ in range(count)]
    for index, (org_name, segment) in enumerate(zip(names, segments, strict=False)):
        low, high = CONTRACT_VALUE[segment]
        org, _ = Organization.objects.get_or_create(
            name=org_name,
            defaults={
                "segment": segment,
                "annual_contract_value": Decimal(rng.randrange(low, high + 1, 500) if high else 0),
                "renewal_date": today
                + dt.timedelta(days=rng.randint(5, 30) if segment == Segment.TRIAL else rng.randint(-5, 365)),
                "churn_risk": round(min(1.0, rng.betavariate(2, 6) + (0.35 if index % 9 == 0 else 0)), 2),
                "is_vip": segment == Segment.ENTERPRISE and rng.random() < 0.5,
                "usage_metrics": {
                    "active_users": rng.randint(3, 900),
                    "data_volume_trend": round(rng.uniform(-0.5, 0.6), 2),
                },
                "usage_notes": rng.choice(
                    [
                        "Heavy API user.",
                        "Mostly mobile field staff.",
                        "Uses reporting daily.",
                        "Light usage, few admins.",
                        "",
                    ]
                ),
            },
        )
        domain = ascii_slug(org_name.replace(" ", "")) + ".example"
        for j in range(rng.randint(2, 4)):
            first = content.FIRST_NAMES[(index * 3 + j) % len(content.FIRST_NAMES)]
            last = content.LAST_NAMES[(index + j * 7) % len(content.LAST_NAMES)]
            email = f"{ascii_slug(first)}.{ascii_slug(last)}@{domain}"
            user = _user(email, first=first, last=last, email=email, password_hash=password_hash)
            Customer.objects.get_or_create(user=user, defaults={"organization": org})
            cast.customers.append(user)
    cast.logins.append(("customer", cast.customers[0].username))


def build_people(*, rng: random.Random, today: dt.date, password_hash: str, admin_password_hash: str) -> Cast:
    """The demo cast; new accounts get the given password hashes (existing ones keep theirs)."""
    cast = Cast()
    build_structure(cast)
    build_agents(cast, rng, password_hash, admin_password_hash)
    build_customers(cast, rng, password_hash, today)
    return cast
