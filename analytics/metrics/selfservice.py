"""Self-service and satisfaction: what the help center answered without a ticket, next to what escalated,
what readers thought of the articles, and how satisfied customers were with each agent and team.

- A deflection is a "This solved it" on a help article (while writing a ticket, or on the article page),
  counted by when it happened, in the date range. Per category, an article counts for each of its
  categories; articles without a category are shown as "(no category)".
- Tickets and escalations per category come from the ticket cohort (created in the range, filtered).
- Deflection share = deflections / (deflections + tickets): the questions answered without a person.
- Votes ("Was this helpful?") count by when they were given. An article with at least MIN_VOTES votes of
  which fewer than half said "helpful" is a documentation gap, as is a category whose tickets escalate
  although no published article covers it.
- Satisfaction per agent (the ticket's assignee) and per team: ratings of the cohort's tickets.
"""

from __future__ import annotations

from django.db.models import Count, Q, Sum

from analytics.filters import ESCALATED, Filters, cohort
from analytics.metrics.common import SATISFIED, round4, sum_by, total
from analytics.report import Chart, Column, Report, Stat, Table, rate
from helpdesk.models import PUBLIC_ARTICLES, Agent, Article, ArticleVote, Category, Deflection, Team

MIN_VOTES = 3
NO_CATEGORY = "(no category)"
LOW = Q(csat__score__lte=2)


def _in_range(filters: Filters) -> Q:
    return Q(created_at__gte=filters.start, created_at__lt=filters.end)


def _article_rows(filters: Filters) -> list[dict]:
    deflections = {
        row["article_id"]: row["n"]
        for row in Deflection.objects.filter(_in_range(filters))
        .values("article_id")
        .annotate(n=Count("pk"))
        .order_by()
    }
    votes = {
        row["article_id"]: row
        for row in ArticleVote.objects.filter(_in_range(filters))
        .values("article_id")
        .annotate(said_yes=Count("pk", filter=Q(helpful=True)), said_no=Count("pk", filter=Q(helpful=False)))
        .order_by()
    }
    ids = set(deflections) | set(votes)
    articles = Article.objects.filter(pk__in=ids).prefetch_related("categories").order_by("title")
    rows = []
    for article in articles:
        row = votes.get(article.pk, {"said_yes": 0, "said_no": 0})
        v = {"helpful": row["said_yes"], "unhelpful": row["said_no"]}
        total = v["helpful"] + v["unhelpful"]
        rows.append(
            {
                "article": article.title,
                "categories": ", ".join(c.name for c in article.categories.all()) or NO_CATEGORY,
                "deflections": deflections.get(article.pk, 0),
                "helpful": v["helpful"],
                "unhelpful": v["unhelpful"],
                "helpful_rate": rate(v["helpful"], total),
                "gap": "yes" if total >= MIN_VOTES and v["helpful"] * 2 < total else "no",
            }
        )
    rows.sort(key=lambda r: (-r["deflections"], r["article"]))
    return rows


def _category_rows(filters: Filters) -> list[dict]:
    tickets = {
        row["category__name"] or NO_CATEGORY: row
        for row in cohort(filters)
        .values("category__name")
        .annotate(tickets=Count("pk"), escalated=Count("pk", filter=ESCALATED))
        .order_by()
    }
    deflected: dict[str, int] = {}
    for row in (
        Deflection.objects.filter(_in_range(filters))
        .values("article__categories__name")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        name = row["article__categories__name"] or NO_CATEGORY
        deflected[name] = deflected.get(name, 0) + row["n"]
    covered = set(
        Category.objects.filter(articles__in=Article.objects.filter(PUBLIC_ARTICLES)).values_list(
            "name", flat=True
        )
    )
    rows = []
    for name in sorted(set(tickets) | set(deflected)):
        t = tickets.get(name, {"tickets": 0, "escalated": 0})
        d = deflected.get(name, 0)
        rows.append(
            {
                "category": name,
                "deflections": d,
                "tickets": t["tickets"],
                "escalated": t["escalated"],
                "escalation_rate": rate(t["escalated"], t["tickets"]),
                "deflection_share": rate(d, d + t["tickets"]),
                "has_article": "yes" if name in covered else "no",
            }
        )
    rows.sort(key=lambda r: (-(r["deflections"] + r["tickets"]), r["category"]))
    return rows


def selfservice_report(filters: Filters) -> Report:
    articles, categories = _article_rows(filters), _category_rows(filters)
    deflections = sum(r["deflections"] for r in articles)
    tickets = sum(r["tickets"] for r in categories)
    escalated = sum(r["escalated"] for r in categories)
    helpful = sum(r["helpful"] for r in articles)
    voted = helpful + sum(r["unhelpful"] for r in articles)
    report = Report(page="self-service", title="Self-service")
    report.stats = [
        Stat("deflections", "Solved without a ticket", deflections),
        Stat("tickets", "Tickets", tickets),
        Stat("escalated", "Escalated tickets", escalated),
        Stat("deflection_share", "Deflection share", rate(deflections, deflections + tickets), "rate"),
        Stat("helpful_rate", "Votes saying helpful", rate(helpful, voted), "rate"),
        Stat("gaps", "Articles readers find unhelpful", sum(r["gap"] == "yes" for r in articles)),
    ]
    for row in articles:
        if row["gap"] == "yes":
            report.highlights.append(
                f"Readers find “{row['article']}” unhelpful: {row['unhelpful']} of "
                f"{row['helpful'] + row['unhelpful']} votes said no."
            )
    for row in categories:
        if row["escalated"] and row["has_article"] == "no" and row["category"] != NO_CATEGORY:
            report.highlights.append(
                f"No published article covers {row['category']}, and {row['escalated']} of its tickets escalated."
            )
    report.tables = [
        Table(
            key="categories",
            title="Deflections and escalations per category",
            description="Deflections: “This solved it” on an article of the category. Deflection share = "
            "deflections / (deflections + tickets).",
            columns=[
                Column("category", "Category"),
                Column("deflections", "Solved without a ticket", "int"),
                Column("tickets", "Tickets", "int"),
                Column("escalated", "Escalated", "int"),
                Column("escalation_rate", "Escalation rate", "rate"),
                Column("deflection_share", "Deflection share", "rate"),
                Column("has_article", "Published article"),
            ],
            rows=categories,
            chart=Chart("bars", label="category", value="deflections"),
            show_table=True,
        ),
        Table(
            key="articles",
            title="Articles: deflections and votes",
            description=f"Gap: at least {MIN_VOTES} votes and fewer than half said helpful.",
            columns=[
                Column("article", "Article"),
                Column("categories", "Categories"),
                Column("deflections", "Solved without a ticket", "int"),
                Column("helpful", "Helpful", "int"),
                Column("unhelpful", "Not helpful", "int"),
                Column("helpful_rate", "Helpful share", "rate"),
                Column("gap", "Documentation gap"),
            ],
            rows=articles,
            chart=Chart(
                "bars", label="article", value="deflections", extra={"flag": "gap", "flag_value": "yes"}
            ),
            show_table=True,
        ),
    ]
    return report


def _rated_groups(filters: Filters) -> list[dict]:
    """The cohort's ratings counted per (final assignee, team) in one pass; the agent table, the team
    table and the totals are sums over these groups (every rated ticket is in exactly one), so a year
    of tickets is read once instead of three times."""
    return list(
        cohort(filters)
        .filter(csat__isnull=False)
        .values("assignee_id", "team_id")
        .annotate(
            rated=Count("csat"),
            score_sum=Sum("csat__score"),
            satisfied=Count("csat", filter=SATISFIED),
            low=Count("csat", filter=LOW),
            explained=Count("csat", filter=LOW & ~Q(csat__what_went_wrong="")),
        )
    )


RATING_MEASURES = ("rated", "score_sum", "satisfied", "low", "explained")


def _satisfaction_rows(groups: list[dict], key: str, names: dict, label: str) -> list[dict]:
    sums = sum_by(groups, lambda g: names.get(g[key]), RATING_MEASURES)
    return [
        {
            label: name or "—",
            "rated": row["rated"],
            "average": round4(row["score_sum"] / row["rated"]),
            "csat": rate(row["satisfied"], row["rated"]),
            "low": row["low"],
            "explained": row["explained"],
        }
        for name, row in sorted(sums.items(), key=lambda item: (item[0] is None, item[0] or ""))
    ]


SATISFACTION_COLUMNS = [
    Column("rated", "Ratings", "int"),
    Column("average", "Average (1-5)", "number"),
    Column("csat", "Satisfied (4-5)", "rate"),
    Column("low", "Low (1-2)", "int"),
    Column("explained", "Said what went wrong", "int"),
]


def satisfaction_report(filters: Filters) -> Report:
    report = Report(page="satisfaction", title="Satisfaction")
    groups = _rated_groups(filters)
    totals = total(groups, RATING_MEASURES)
    report.stats = [
        Stat("rated", "Ratings", totals["rated"]),
        Stat("csat", "Satisfied (4-5 of 5)", rate(totals["satisfied"], totals["rated"]), "rate"),
        Stat("low", "Low ratings (1-2)", totals["low"]),
    ]
    usernames = dict(Agent.objects.values_list("pk", "user__username"))
    team_names = dict(Team.objects.values_list("pk", "name"))
    report.tables = [
        Table(
            key="agents",
            title="Satisfaction per agent",
            description="Ratings of the tickets each agent was assigned at the end.",
            columns=[Column("agent", "Agent"), *SATISFACTION_COLUMNS],
            rows=_satisfaction_rows(groups, "assignee_id", usernames, "agent"),
            chart=Chart("bars", label="agent", value="csat", extra={"count": "rated"}),
            show_table=True,
        ),
        Table(
            key="teams",
            title="Satisfaction per team",
            columns=[Column("team", "Team"), *SATISFACTION_COLUMNS],
            rows=_satisfaction_rows(groups, "team_id", team_names, "team"),
            chart=Chart("bars", label="team", value="csat", extra={"count": "rated"}),
            show_table=True,
        ),
    ]
    return report
