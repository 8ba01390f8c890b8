"""Documentation gaps and topics: what escalated tickets are about, which topics grow, and whether the
knowledge base covers them.

Escalated tickets (subject + body) are turned into TF-IDF vectors and grouped with k-means. Each topic
gets its top terms, its size, its counts in the last 7 days of the range and the 7 days before (by the
ticket's first escalation), and the knowledge-base article closest to it (cosine similarity of the
article to the topic's centre in the same TF-IDF space). Large ranges are sampled evenly (every n-th
ticket); counts are then scaled back up by n. Pages are cached until the data changes (analytics.cache).

Labels: class-based TF-IDF (c-TF-IDF, as in BERTopic) over word 1-3-grams with English and support-speak
stop words removed: each topic's tickets are one document, and a phrase scores by how much more often it
appears in this topic than across all of them; a phrase is preferred to the single words inside it.

Claims on the page are made only when the counts can carry them:
- "X % of this week's escalations are about F" needs at least MIN_SHARE_TOTAL escalations this week and
  MIN_SHARE_COUNT in the topic, and is given with its 95 % Wilson score interval;
- "F grew week over week" needs at least MIN_GROWTH_COUNT this week and an exact conditional test of two
  Poisson counts (this week's count given both weeks' total is binomial with p = 1/2 when the rate did
  not change) with a one-sided p-value below GROWTH_ALPHA after Holm's correction over the topics tested
  (every topic with enough tickets this week is a test). 1 -> 6 is not an alert; 10 -> 30 is.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.db.models.functions import Mod
from scipy.stats import binomtest
from sklearn.cluster import KMeans
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer, TfidfVectorizer
from sklearn.preprocessing import normalize
from threadpoolctl import threadpool_limits

from analytics.facts.build import escalation_at
from analytics.filters import ESCALATED, Filters, cohort
from analytics.metrics.common import round4
from analytics.report import Chart, Column, Report, Stat, Table, rate
from helpdesk.models import Article

MAX_DOCUMENTS = 3000
MIN_DOCUMENTS = 8
MAX_TOPICS = 16
LSA_COMPONENTS = 50
TOP_TERMS = 5
COVERED_SIMILARITY = 0.3
TOKEN_PATTERN = r"(?u)\b[^\W\d_][^\W_]+\b"  # words, not invoice numbers or amounts
MIN_SHARE_TOTAL = 20
MIN_VALIDATION_PAIRS = 20
COVERED_SHARE = 0.5  # a topic is covered when the article answers at least half of its tickets
MIN_SHARE_COUNT = 5
MIN_GROWTH_COUNT = 5
GROWTH_ALPHA = 0.05
LABEL_PHRASES = 2
# Words every support ticket uses: they name no topic.
SUPPORT_STOP_WORDS = {
    "hi",
    "hello",
    "hey",
    "dear",
    "thanks",
    "thank",
    "regards",
    "cheers",
    "please",
    "pls",
    "help",
    "need",
    "needs",
    "issue",
    "issues",
    "problem",
    "problems",
    "ticket",
    "support",
    "team",
    "just",
    "like",
    "get",
    "got",
    "know",
    "want",
    "wanted",
    "would",
    "could",
    "also",
    "still",
    "used",
    "use",
    "using",
    "days",
    "day",
    "today",
    "yesterday",
    "week",
    "weeks",
    "time",
    "times",
    "asap",
    "urgent",
    "really",
    "tried",
    "try",
    "able",
    "does",
    "did",
    "doesn",
    "don",
    "didn",
    "isn",
    "won",
    "ve",
    "ll",
    "re",
    "hours",
    "let",
    "make",
}
STOP_WORDS = sorted(ENGLISH_STOP_WORDS | SUPPORT_STOP_WORDS)


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
    sample = escalated.annotate(first_escalation=escalation_at(latest=False))
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


def topic_labels(texts: list[str], labels: np.ndarray, k: int) -> list[str]:
    """A readable label per topic from class-based TF-IDF over 1-3-word phrases (see the module doc)."""
    vectorizer = CountVectorizer(
        stop_words=STOP_WORDS, token_pattern=TOKEN_PATTERN, ngram_range=(1, 3), min_df=1, max_features=20000
    )
    try:
        counts = vectorizer.fit_transform(texts)
    except ValueError:  # nothing but stop words
        return ["(no words)"] * k
    terms = vectorizer.get_feature_names_out()
    per_topic = np.vstack([np.asarray(counts[labels == c].sum(axis=0)).ravel() for c in range(k)])
    frequency = per_topic / per_topic.sum(axis=1, keepdims=True).clip(min=1)
    average_words = per_topic.sum() / k
    scores = frequency * np.log(1 + average_words / per_topic.sum(axis=0).clip(min=1))
    result = []
    for c in range(k):
        order = [i for i in np.argsort(scores[c])[::-1][:25] if scores[c][i] > 0 and per_topic[c][i] >= 2]
        order = order or [i for i in np.argsort(scores[c])[::-1][:5] if scores[c][i] > 0]
        picked: list[str] = []
        for i in order:
            phrase = str(terms[i])
            # A longer phrase nearly as distinctive as the words in it says more: take it instead.
            longer = [
                str(terms[j])
                for j in order
                if " " in str(terms[j])
                and f" {phrase} " in f" {terms[j]} "
                and scores[c][j] >= 0.5 * scores[c][i]
            ]
            phrase = max(longer, key=len) if longer else phrase
            if any(f" {phrase} " in f" {p} " or f" {p} " in f" {phrase} " for p in picked):
                continue
            picked.append(phrase)
            if len(picked) == LABEL_PHRASES:
                break
        result.append(" / ".join(picked) or "(no words)")
    return result


def wilson_interval(successes: int, total: int, z: float = 1.96) -> tuple[float, float]:
    """The 95 % Wilson score interval of a proportion."""
    if total == 0:
        return 0.0, 1.0
    p = successes / total
    centre = (p + z * z / (2 * total)) / (1 + z * z / total)
    half = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / (1 + z * z / total)
    return max(0.0, centre - half), min(1.0, centre + half)


def growth_p_value(this_week: int, last_week: int) -> float | None:
    """One-sided exact conditional test that this week's rate exceeds last week's (two Poisson counts):
    given n = this + last, this week's count is Binomial(n, 1/2) when the rate did not change."""
    n = this_week + last_week
    if n == 0:
        return None
    return float(binomtest(this_week, n, 0.5, alternative="greater").pvalue)


def _articles(model: TopicModel) -> tuple[list[str], np.ndarray | None, list[set[str]]]:
    articles = list(Article.objects.filter(is_published=True).prefetch_related("categories"))
    if not articles:
        return [], None, []
    vectors = model.embed([f"{a.title}\n{a.body}" for a in articles])
    return [a.title for a in articles], vectors, [{c.name for c in a.categories.all()} for a in articles]


@dataclass(frozen=True)
class Validation:
    threshold: float
    precision: float | None
    recall: float | None
    positives: int
    negatives: int

    @property
    def validated(self) -> bool:
        return self.positives >= MIN_VALIDATION_PAIRS and self.negatives >= MIN_VALIDATION_PAIRS


def validate_threshold(
    similarity: np.ndarray, doc_categories: list[str | None], article_categories: list[set[str]]
) -> Validation:
    """The coverage threshold, chosen on labelled examples: an escalated ticket and an article filed under
    the ticket's category are a match, the same ticket and an article filed only under other categories are
    not. The threshold that maximizes F1 on these pairs is used; with too few pairs, the default stays."""
    scores, labels = [], []
    for i, category in enumerate(doc_categories):
        if category is None:
            continue
        for j, categories in enumerate(article_categories):
            if categories:
                scores.append(float(similarity[i, j]))
                labels.append(category in categories)
    positives, negatives = sum(labels), len(labels) - sum(labels)
    if positives < MIN_VALIDATION_PAIRS or negatives < MIN_VALIDATION_PAIRS:
        return Validation(COVERED_SIMILARITY, None, None, positives, negatives)
    order = np.argsort(scores)[::-1]
    ranked_scores = np.asarray(scores)[order]
    ranked_labels = np.asarray(labels)[order]
    hits = np.cumsum(ranked_labels)
    precision = hits / np.arange(1, len(ranked_labels) + 1)
    recall = hits / positives
    f1 = np.where(precision + recall > 0, 2 * precision * recall / (precision + recall + 1e-12), 0)
    best = int(np.argmax(f1))
    return Validation(
        round(float(ranked_scores[best]), 4),
        round(float(precision[best]), 4),
        round(float(recall[best]), 4),
        positives,
        negatives,
    )


def _topic_rows(
    filters: Filters, documents: list[Document], step: int
) -> tuple[list[dict[str, Any]], Validation]:
    # One BLAS thread: web processes share the cores, and several threads each made the SVD ~3x slower.
    with threadpool_limits(1):
        model = _cluster(documents)
    if model is None:
        return [], Validation(COVERED_SIMILARITY, None, None, 0, 0)
    labels, centres = model.labels, model.centres
    terms = model.vectorizer.get_feature_names_out()
    titles, article_vectors, article_categories = _articles(model)
    similarity = (article_vectors @ centres.T).T if article_vectors is not None else None
    validation = Validation(COVERED_SIMILARITY, None, None, 0, 0)
    doc_best: np.ndarray | None = None
    if article_vectors is not None:
        doc_similarity = model.embed([d.text for d in documents]) @ article_vectors.T
        validation = validate_threshold(doc_similarity, [d.category for d in documents], article_categories)
        doc_best = doc_similarity.max(axis=1)
        doc_article = doc_similarity.argmax(axis=1)
    names = topic_labels([d.text for d in documents], labels, centres.shape[0])
    this_week = filters.end - dt.timedelta(days=7)
    last_week = this_week - dt.timedelta(days=7)
    rows = []
    for topic in range(centres.shape[0]):
        member_index = [i for i, label in enumerate(labels) if label == topic]
        members = [documents[i] for i in member_index]
        if not members:
            continue
        weights = model.term_weights[topic]
        top = [terms[i] for i in np.argsort(weights)[::-1][:TOP_TERMS] if weights[i] > 0]
        recent = sum(1 for d in members if d.escalated_at and this_week <= d.escalated_at < filters.end)
        before = sum(1 for d in members if d.escalated_at and last_week <= d.escalated_at < this_week)
        best = int(np.argmax(similarity[topic])) if similarity is not None else None
        best_score = float(similarity[topic][best]) if best is not None else 0.0
        answered = 0.0
        if doc_best is not None:
            # Evidence: the share of the topic's tickets the article answers (similarity over the threshold).
            answering = [i for i in member_index if doc_best[i] >= validation.threshold]
            if answering:
                best = Counter(int(doc_article[i]) for i in answering).most_common(1)[0][0]
                best_score = float(similarity[topic][best])
            answered = sum(
                1 for i in member_index if doc_article[i] == best and doc_best[i] >= validation.threshold
            ) / len(member_index)
        covered = answered >= COVERED_SHARE
        category, _ = Counter(d.category for d in members).most_common(1)[0]
        rows.append(
            {
                "topic": names[topic],
                "terms": ", ".join(top),
                "tickets": len(members) * step,
                "category": category or "(none)",
                "this_week": recent * step,
                "last_week": before * step,
                "growth": None if not before else round((recent - before) / before, 4),
                "growth_p": round4(growth_p_value(recent * step, before * step)),
                "article": titles[best] if best is not None and covered else "",
                "similarity": round(best_score, 4),
                "answered": round(answered, 4),
                "covered": "yes" if covered else "no",
            }
        )
    recent_total = sum(r["this_week"] for r in rows)
    for row in rows:
        row["share_this_week"] = rate(row["this_week"], recent_total)
    holm_adjust(rows)
    return sorted(rows, key=lambda r: (-r["tickets"], r["topic"])), validation


def topic_rows(filters: Filters) -> tuple[list[dict[str, Any]], int, int, Validation]:
    """(topic rows, escalated tickets, sampling step, how the coverage threshold was chosen)."""
    documents, total, step = _documents(filters)
    if len(documents) < MIN_DOCUMENTS:
        return [], total, step, Validation(COVERED_SIMILARITY, None, None, 0, 0)
    rows, validation = _topic_rows(filters, documents, step)
    return rows, total, step, validation


def holm_adjust(rows: list[dict[str, Any]]) -> None:
    """Holm-adjusted growth p-values (`growth_p_holm`) over the topics with enough tickets to be tested."""
    tested = sorted(
        (r for r in rows if r["this_week"] >= MIN_GROWTH_COUNT and r.get("growth_p") is not None),
        key=lambda r: r["growth_p"],
    )
    running = 0.0
    for rank, row in enumerate(tested):
        running = max(running, min(1.0, row["growth_p"] * (len(tested) - rank)))
        row["growth_p_holm"] = round(running, 4)
    for row in rows:
        row.setdefault("growth_p_holm", None)


def significant_growth(row: dict[str, Any]) -> bool:
    p = row.get("growth_p_holm", row.get("growth_p"))
    return (
        row["this_week"] >= MIN_GROWTH_COUNT
        and row["this_week"] > row["last_week"]
        and p is not None
        and p < GROWTH_ALPHA
    )


def _highlights(rows: list[dict[str, Any]]) -> list[str]:
    lines = []
    recent_total = sum(r["this_week"] for r in rows)
    leading = max(rows, key=lambda r: r["this_week"], default=None)
    if leading and recent_total >= MIN_SHARE_TOTAL and leading["this_week"] >= MIN_SHARE_COUNT:
        low, high = wilson_interval(leading["this_week"], recent_total)
        lines.append(
            f"{leading['share_this_week']:.0%} of this week's escalations are about “{leading['topic']}” "
            f"({leading['this_week']} of {recent_total}; 95% Wilson interval {low:.0%}–{high:.0%})."
        )
    for row in rows:
        if significant_growth(row):
            uncovered = " and no knowledge-base article covers it" if row["covered"] == "no" else ""
            lines.append(
                f"“{row['topic']}” rose from {row['last_week']} to {row['this_week']} escalations week over "
                f"week{uncovered} (exact conditional Poisson test, one-sided p = {row['growth_p']:.3f}, "
                f"Holm-adjusted {row['growth_p_holm']:.3f})."
            )
    return lines


def topics_report(filters: Filters) -> Report:
    rows, total, step, validation = topic_rows(filters)
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
            f"Covered = one published article answers at least {COVERED_SHARE:.0%} of the topic's tickets "
            f"(ticket–article cosine similarity ≥ {validation.threshold:g}; “Answered” is that share, the evidence). "
            + (
                f"The threshold was validated on {validation.positives} ticket–article pairs filed under the same "
                f"category and {validation.negatives} under different ones (best F1: precision "
                f"{validation.precision:.0%}, recall {validation.recall:.0%}). "
                if validation.validated
                else f"Too few articles filed under categories to validate the threshold "
                f"({validation.positives} matching pairs); the default {COVERED_SIMILARITY} is used. "
            )
            + "Red: no article covers the topic. "
            f"Shares are stated only with ≥ {MIN_SHARE_TOTAL} escalations this week (≥ {MIN_SHARE_COUNT} in the "
            f"topic), with a 95% Wilson interval; growth only with ≥ {MIN_GROWTH_COUNT} this week and p < "
            f"{GROWTH_ALPHA} in an exact conditional test of two Poisson counts (binomial, p = ½), Holm-adjusted "
            "over the topics tested. "
            "Labels: c-TF-IDF over 1–3-word phrases.",
            columns=[
                Column("topic", "Topic"),
                Column("terms", "Top terms"),
                Column("tickets", "Tickets", "int"),
                Column("category", "Main category"),
                Column("this_week", "This week", "int"),
                Column("last_week", "Week before", "int"),
                Column("growth", "Growth", "rate"),
                Column("growth_p", "Growth p-value", "number"),
                Column("growth_p_holm", "Holm-adjusted", "number"),
                Column("share_this_week", "Share of this week", "rate"),
                Column("covered", "KB covers it"),
                Column("article", "Closest article"),
                Column("similarity", "Similarity", "number"),
                Column("answered", "Answered by it", "rate"),
            ],
            rows=rows,
            chart=Chart(
                "bars", label="topic", value="tickets", extra={"flag": "covered", "flag_value": "no"}
            ),
            show_table=True,
        )
    ]
    return report
