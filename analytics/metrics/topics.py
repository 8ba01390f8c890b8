"""Documentation gaps and topics: what escalated tickets are about, which topics grow, and whether the
knowledge base covers them.

Escalated tickets (subject + body) are turned into TF-IDF vectors and grouped with k-means. Each topic
gets its top terms, its size, its counts in the last 7 days of the range and the 7 days before (by the
ticket's first escalation), and the knowledge-base article closest to it (cosine similarity of the
article to the topic's centre in the same TF-IDF space). Large ranges are sampled evenly (every n-th
ticket); counts are then scaled back up by n. Pages are cached until the data changes (analytics.cache).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.db.models.functions import Mod
from sklearn.cluster import KMeans
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize
from threadpoolctl import threadpool_limits

from analytics.filters import Filters, cohort
from analytics.metrics.common import ESCALATED
from analytics.metrics.timing import first_escalation_at
from analytics.report import Chart, Column, Report, Stat, Table, rate
from helpdesk.models import Article

MAX_DOCUMENTS = 3000
MIN_DOCUMENTS = 8
MAX_TOPICS = 16
LSA_COMPONENTS = 50
TOP_TERMS = 5
COVERED_SIMILARITY = 0.3
TOKEN_PATTERN = r"(?u)\b[^\W\d_][^\W_]+\b"  # words, not invoice numbers or amounts


@dataclass
class Document:
    text: str
    category: str | None
    escalated_at: dt.datetime


def _documents(filters: Filters) -> tuple[list[Document], int, int]:
    """Escalated tickets of the cohort, every `step`-th one when there are more than MAX_DOCUMENTS."""
    escalated = cohort(filters).filter(ESCALATED)
    total = escalated.count()
    step = max(1, math.ceil(total / MAX_DOCUMENTS))
    sample = escalated.annotate(first_escalation=first_escalation_at())
    if step > 1:
        sample = sample.annotate(slot=Mod("pk", step)).filter(slot=0)
    rows = sample.values_list("subject", "body", "category__name", "first_escalation")
    return [Document(f"{s}\n{b}", c, at) for s, b, c, at in rows], total, step


def topic_count(documents: int) -> int:
    return max(2, min(MAX_TOPICS, round(math.sqrt(documents / 2))))


def _vectorize(texts: list[str]) -> tuple[TfidfVectorizer, Any] | None:
    """TF-IDF of the texts; terms in most documents are dropped unless nothing else would remain."""
    for max_df in (0.6, 1.0):
        vectorizer = TfidfVectorizer(
            stop_words="english",
            token_pattern=TOKEN_PATTERN,
            ngram_range=(1, 2),
            sublinear_tf=True,
            min_df=2 if len(texts) >= 20 else 1,
            max_df=max_df,
            max_features=5000,
        )
        try:
            return vectorizer, vectorizer.fit_transform(texts)
        except ValueError:  # nothing but stop words, or every term in every document
            continue
    return None


@dataclass
class TopicModel:
    vectorizer: TfidfVectorizer
    svd: TruncatedSVD | None
    labels: np.ndarray
    centres: np.ndarray  # unit vectors in the space the documents were clustered in
    term_weights: np.ndarray  # each centre mapped back to TF-IDF terms, for the top terms

    def embed(self, texts: list[str]) -> np.ndarray:
        matrix = self.vectorizer.transform(texts)
        return normalize(self.svd.transform(matrix) if self.svd is not None else matrix)


def _cluster(documents: list[Document]) -> TopicModel | None:
    """TF-IDF, reduced by latent semantic analysis (truncated SVD), then k-means on unit vectors:
    the reduction groups words that occur together, which keeps k-means from one catch-all topic."""
    texts = [d.text for d in documents]
    vectorized = _vectorize(texts)
    if vectorized is None:
        return None
    vectorizer, matrix = vectorized
    k = min(topic_count(len(documents)), len(set(texts)))
    if k < 2:
        return None
    components = min(LSA_COMPONENTS, matrix.shape[1] - 1, matrix.shape[0] - 1)
    svd = TruncatedSVD(n_components=components, random_state=0) if components >= 2 else None
    space = normalize(svd.fit_transform(matrix)) if svd is not None else matrix
    model = KMeans(n_clusters=k, n_init=5, random_state=0).fit(space)
    weights = svd.inverse_transform(model.cluster_centers_) if svd is not None else model.cluster_centers_
    return TopicModel(vectorizer, svd, model.labels_, normalize(model.cluster_centers_), np.asarray(weights))


def _articles(model: TopicModel) -> tuple[list[str], np.ndarray | None]:
    articles = list(Article.objects.filter(is_published=True).values_list("title", "body"))
    if not articles:
        return [], None
    return [title for title, _ in articles], model.embed([f"{title}\n{body}" for title, body in articles])


def _topic_rows(filters: Filters, documents: list[Document], step: int) -> list[dict[str, Any]]:
    # One BLAS thread: web processes share the cores, and several threads each made the SVD ~3x slower.
    with threadpool_limits(1):
        model = _cluster(documents)
    if model is None:
        return []
    labels, centres = model.labels, model.centres
    terms = model.vectorizer.get_feature_names_out()
    titles, article_vectors = _articles(model)
    similarity = (article_vectors @ centres.T).T if article_vectors is not None else None
    this_week = filters.end - dt.timedelta(days=7)
    last_week = this_week - dt.timedelta(days=7)
    rows = []
    for topic in range(centres.shape[0]):
        members = [d for d, label in zip(documents, labels, strict=True) if label == topic]
        if not members:
            continue
        weights = model.term_weights[topic]
        top = [terms[i] for i in np.argsort(weights)[::-1][:TOP_TERMS] if weights[i] > 0]
        recent = sum(1 for d in members if d.escalated_at and this_week <= d.escalated_at < filters.end)
        before = sum(1 for d in members if d.escalated_at and last_week <= d.escalated_at < this_week)
        best = int(np.argmax(similarity[topic])) if similarity is not None else None
        best_score = float(similarity[topic][best]) if best is not None else 0.0
        category, _ = Counter(d.category for d in members).most_common(1)[0]
        rows.append(
            {
                "topic": " · ".join(top[:3]),
                "terms": ", ".join(top),
                "tickets": len(members) * step,
                "category": category or "(none)",
                "this_week": recent * step,
                "last_week": before * step,
                "growth": None if not before else round((recent - before) / before, 4),
                "article": titles[best] if best is not None and best_score >= COVERED_SIMILARITY else "",
                "similarity": round(best_score, 4),
                "covered": "yes" if best_score >= COVERED_SIMILARITY else "no",
            }
        )
    recent_total = sum(r["this_week"] for r in rows)
    for row in rows:
        row["share_this_week"] = rate(row["this_week"], recent_total)
    return sorted(rows, key=lambda r: (-r["tickets"], r["topic"]))


def topic_rows(filters: Filters) -> tuple[list[dict[str, Any]], int, int]:
    """(topic rows, escalated tickets, sampling step)."""
    documents, total, step = _documents(filters)
    rows = _topic_rows(filters, documents, step) if len(documents) >= MIN_DOCUMENTS else []
    return rows, total, step


def _highlights(rows: list[dict[str, Any]]) -> list[str]:
    lines = []
    leading = max(rows, key=lambda r: r["this_week"], default=None)
    if leading and leading["this_week"]:
        lines.append(
            f"{leading['share_this_week']:.0%} of this week's escalations are about "
            f"“{leading['topic']}” ({leading['this_week']} tickets, {leading['last_week']} the week before)."
        )
    for row in rows:
        if row["covered"] == "no" and row["growth"] is not None and row["growth"] > 0:
            lines.append(
                f"No knowledge-base article covers “{row['topic']}”, and it grew {row['growth']:.0%} this week."
            )
    return lines


def topics_report(filters: Filters) -> Report:
    rows, total, step = topic_rows(filters)
    report = Report(page="topics", title="Documentation gaps and topics")
    report.stats = [
        Stat("escalated", "Escalated tickets", total),
        Stat("topics", "Topics found", len(rows)),
        Stat("uncovered", "Topics without an article", sum(r["covered"] == "no" for r in rows)),
    ]
    report.highlights = _highlights(rows)
    if step > 1:
        report.notes.append(f"Computed from every {step}th escalated ticket; counts are scaled up by {step}.")
    if total and not rows:
        report.notes.append(
            f"Too few escalated tickets to find topics (at least {MIN_DOCUMENTS} are needed)."
        )
    report.tables = [
        Table(
            key="topics",
            title="Topics of escalated tickets",
            description="This week = the last 7 days of the range, by each ticket's first escalation. "
            f"Covered = a published article with cosine similarity ≥ {COVERED_SIMILARITY} to the topic. "
            "Red: no article covers the topic.",
            columns=[
                Column("topic", "Topic"),
                Column("terms", "Top terms"),
                Column("tickets", "Tickets", "int"),
                Column("category", "Main category"),
                Column("this_week", "This week", "int"),
                Column("last_week", "Week before", "int"),
                Column("growth", "Growth", "rate"),
                Column("share_this_week", "Share of this week", "rate"),
                Column("covered", "KB covers it"),
                Column("article", "Closest article"),
                Column("similarity", "Similarity", "number"),
            ],
            rows=rows,
            chart=Chart(
                "bars", label="topic", value="tickets", extra={"flag": "covered", "flag_value": "no"}
            ),
            show_table=True,
        )
    ]
    return report
