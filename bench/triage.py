"""Triage model benchmarks: quality by cross-validation on the real IT tickets, training time, prediction time.

    python bench/triage.py cv        # stratified 5-fold CV on ../shared/data/it-tickets/train.csv
    python bench/triage.py speed     # train_router on 50,000 tickets (SQLite), then per-ticket prediction
    python bench/triage.py speed --tickets 10000

`cv` compares, on the same folds: the majority class, a keyword-rule router (each team's most distinctive
words in the training folds, as an admin would write keyword rules; most hits wins), a tuned TF-IDF +
logistic regression, and the shipped model (escalation.triage.features: word + character TF-IDF,
chi-squared selection, calibrated linear SVM). Numbers go to docs/triage.md.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import re
import statistics
import sys
import tempfile
import time
import warnings
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
# ../shared/data from the project root (TRAIN_CSV elsewhere, e.g. from a git worktree)
DATA = Path(os.environ.get("TRAIN_CSV", ROOT.parent / "shared" / "data" / "it-tickets" / "train.csv"))
sys.path.insert(0, str(ROOT))


def _rows(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


# --- quality ------------------------------------------------------------------------------------


class KeywordRouter:
    """Keyword rules as an admin would write them: per team, its N most distinctive words; most hits wins."""

    def __init__(self, words_per_team: int = 15) -> None:
        self.words_per_team = words_per_team

    def fit(self, texts, labels):
        from sklearn.feature_extraction.text import CountVectorizer
        from sklearn.feature_selection import chi2

        vectorizer = CountVectorizer(binary=True, min_df=3)
        matrix = vectorizer.fit_transform(texts)
        vocabulary = np.array(vectorizer.get_feature_names_out())
        self.majority = Counter(labels).most_common(1)[0][0]
        self.keywords = {}
        labels = np.asarray(labels)
        for team in sorted(set(labels)):
            scores, _ = chi2(matrix, labels == team)
            rate_in = np.asarray(matrix[labels == team].mean(axis=0)).ravel()
            rate_out = np.asarray(matrix[labels != team].mean(axis=0)).ravel()
            ranked = [i for i in np.argsort(-np.nan_to_num(scores)) if rate_in[i] > rate_out[i]]
            self.keywords[team] = set(vocabulary[ranked[: self.words_per_team]])
        return self

    def predict(self, texts):
        out = []
        for text in texts:
            words = set(re.findall(r"\w+", text.lower()))
            hits = {team: len(words & keys) for team, keys in self.keywords.items()}
            best = max(hits, key=hits.get)
            out.append(best if hits[best] else self.majority)
        return np.array(out, dtype=object)


def cross_validate(folds: int = 5, seeds: tuple[int, ...] = (0, 1, 2)) -> None:
    from sklearn.dummy import DummyClassifier
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import accuracy_score, f1_score
    from sklearn.model_selection import StratifiedKFold
    from sklearn.pipeline import make_pipeline

    from escalation.triage.features import (
        TicketFeatures,
        embedding,
        head_classifier,
        text_layout,
        ticket_text,
    )
    from escalation.triage.metrics import evaluate

    rows = _rows(DATA)
    texts = np.array([ticket_text(r["subject"], r["body"]) for r in rows], dtype=object)
    labels = np.array([r["team"] for r in rows], dtype=object)
    print(f"{len(rows)} tickets, {len(set(labels))} teams; stratified {folds}-fold CV, seeds {seeds}")

    class Shipped:
        def fit(self, x, y):
            self.embedding = embedding()
            matrix = self.embedding.fit_transform([TicketFeatures(text=t, channel="email") for t in x])
            layout = text_layout(self.embedding)
            self.model = head_classifier("team", len(y), min(Counter(y).values()), layout).fit(matrix, y)
            return self

        def predict_proba(self, x):
            return self.model.predict_proba(
                self.embedding.transform([TicketFeatures(text=t, channel="email") for t in x])
            )

        def predict(self, x):
            return self.model.classes_[self.predict_proba(x).argmax(axis=1)]

    candidates = {
        "majority class": lambda: DummyClassifier(strategy="most_frequent"),
        "keyword rules (15 words/team)": KeywordRouter,
        "TF-IDF words + logistic regression": lambda: make_pipeline(
            TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True),
            LogisticRegression(C=10, max_iter=3000, class_weight="balanced"),
        ),
        "shipped model": Shipped,
    }
    for name, make in candidates.items():
        f1s, accuracies, eces, started = [], [], [], time.perf_counter()
        for seed in seeds:
            for train, test in StratifiedKFold(folds, shuffle=True, random_state=seed).split(texts, labels):
                model = make().fit(texts[train], labels[train])
                predicted = model.predict(texts[test])
                f1s.append(f1_score(labels[test], predicted, average="macro"))
                accuracies.append(accuracy_score(labels[test], predicted))
                if hasattr(model, "predict_proba") and name == "shipped model":
                    eces.append(
                        evaluate(labels[test], model.predict_proba(texts[test]), list(model.model.classes_))[
                            "ece"
                        ]
                    )
        ece = f", ECE {statistics.mean(eces):.3f}" if eces else ""
        print(
            f"{name:38} macro-F1 {statistics.mean(f1s):.3f} ± {statistics.stdev(f1s):.3f}  "
            f"accuracy {statistics.mean(accuracies):.3f}{ece}  ({time.perf_counter() - started:.0f} s)",
            flush=True,
        )


# --- speed --------------------------------------------------------------------------------------


def _synthetic(rows: list[dict], count: int, seed: int = 7) -> list[dict]:
    """`count` tickets resampled from the real ones, each with a tenth of its words dropped at random."""
    rng = random.Random(seed)
    out = []
    for n in range(count):
        row = rng.choice(rows)
        words = [w for w in row["body"].split() if rng.random() > 0.1] or row["body"].split()
        out.append({**row, "body": " ".join(words), "n": n})
    return out


def speed(tickets: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        _load(_synthetic(_rows(DATA), tickets))
        started = time.perf_counter()
        call_command("train_router")
        print(f"train_router on {tickets} tickets: {time.perf_counter() - started:.1f} s (target < 120 s)")
        _predict_timing()


def _load(rows: list[dict]) -> None:
    import datetime as dt

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from helpdesk.models import Category, Priority, Status, Team, Ticket, Tier

    customer = get_user_model().objects.create(username="bench-history", email="history@bench.example")
    teams = {name: Team.objects.create(name=name) for name in sorted({r["team"] for r in rows})}
    categories = {name: Category.objects.create(name=name, team=team) for name, team in teams.items()}
    tiers = [
        Tier.objects.get_or_create(level=level, defaults={"name": f"Tier {level}"})[0] for level in (1, 2)
    ]
    priorities = list(Priority.values)
    start = timezone.now() - dt.timedelta(days=365)
    Ticket.objects.bulk_create(
        [
            Ticket(
                subject=r["subject"][:200] or "(no subject)",
                body=r["body"] or r["subject"],
                channel="email",
                team=teams[r["team"]],
                category=categories[r["team"]],
                priority=priorities[(r["n"] * 7 + len(r["body"])) % len(priorities)],
                tier=tiers[len(r["body"]) % 3 == 0],
                escalation_count=int(len(r["body"]) % 3 == 0),
                status=Status.RESOLVED,
                customer=customer,
                created_at=start + dt.timedelta(minutes=r["n"]),
            )
            for r in rows
        ],
        batch_size=2000,
    )


def _predict_timing(samples: int = 1000) -> None:
    from escalation.triage.predict import features_for
    from escalation.triage.store import active_model
    from escalation.triage.ticket import triage_ticket
    from helpdesk.models import Ticket

    model = active_model()
    tickets = list(Ticket.objects.select_related("organization").order_by("?")[:samples])
    features = [features_for(t) for t in tickets]
    bare = []
    for row in features:
        started = time.perf_counter()
        model.predict(row)
        bare.append((time.perf_counter() - started) * 1000)
    full = []
    for ticket in tickets[:200]:
        started = time.perf_counter()
        triage_ticket(ticket)
        full.append((time.perf_counter() - started) * 1000)
    for name, times in (("model.predict", bare), ("triage_ticket (model + queries + sentiment)", full)):
        times.sort()
        print(
            f"{name:45} p50 {times[len(times) // 2]:.2f} ms  p95 {times[int(len(times) * 0.95)]:.2f} ms "
            f"(target < 5 ms)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("what", choices=["cv", "speed"])
    parser.add_argument("--tickets", type=int, default=50_000)
    args = parser.parse_args()
    warnings.filterwarnings("ignore", category=UserWarning)
    if args.what == "cv":
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
        import django

        django.setup()
        cross_validate()
    else:
        speed(args.tickets)


if __name__ == "__main__":
    main()
