"""Candidate team models against the shipped one, on the same folds of the real IT tickets.

    python bench/triage_candidates.py                 # every candidate, 5-fold stratified CV x seeds 0 1 2
    python bench/triage_candidates.py --seeds 3 4 5 --only "three views"   # confirm one on other shuffles

Each candidate is scored by team macro-F1 on the same 15 folds as `bench/triage.py cv`; the line shows
its mean ± sd over folds, and the paired per-fold difference from the shipped model (mean ± sd, folds it
wins) with the corrected resampled t statistic of Nadeau & Bengio (repeated CV folds share training rows,
so the naive t overstates: variance × (1/folds + test/train)). |t| ≳ 2 is a gain beyond doubt; a smaller
one ships only when it holds on two independent sets of shuffles (seeds 0-2 and 3-5) and costs nothing a
user would notice (docs/triage.md: the three views). The shipped model is rebuilt here from the text
blocks of escalation.triage.features (words 1-2 and 0.7 × char_wb 2-5; three calibrated heads, one per
view — words, characters, both — each chi² 20 % and LinearSVC C 0.6, probabilities averaged); the first
line checks it scores what `bench/triage.py cv` does. Figures go to docs/triage.md.
"""

from __future__ import annotations

import argparse
import csv
import math
import os
import sys
import time
import warnings
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import numpy as np
import scipy.sparse as sp

ROOT = Path(__file__).resolve().parent.parent
# ../shared/data from the project root (TRAIN_CSV elsewhere, e.g. from a git worktree)
DATA = Path(os.environ.get("TRAIN_CSV", ROOT.parent / "shared" / "data" / "it-tickets" / "train.csv"))
sys.path.insert(0, str(ROOT))

from sklearn.calibration import CalibratedClassifierCV  # noqa: E402
from sklearn.decomposition import TruncatedSVD  # noqa: E402
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer  # noqa: E402
from sklearn.feature_selection import SelectPercentile, chi2  # noqa: E402
from sklearn.linear_model import LogisticRegression, RidgeClassifier, SGDClassifier  # noqa: E402
from sklearn.metrics import f1_score  # noqa: E402
from sklearn.model_selection import StratifiedKFold, cross_val_predict  # noqa: E402
from sklearn.naive_bayes import ComplementNB, MultinomialNB  # noqa: E402
from sklearn.pipeline import Pipeline  # noqa: E402
from sklearn.svm import SVC, LinearSVC  # noqa: E402

from escalation.triage.features import CHAR_WEIGHT, KEEP_PERCENT, SVM_C, pooled, ticket_text  # noqa: E402

VECTORIZERS: dict[str, Callable[[], object]] = {
    "words": lambda: TfidfVectorizer(
        ngram_range=(1, 2), sublinear_tf=True, max_features=400_000, dtype=np.float32
    ),
    "chars": lambda: TfidfVectorizer(
        analyzer="char_wb",
        ngram_range=(2, 5),
        sublinear_tf=True,
        min_df=2,
        max_features=400_000,
        dtype=np.float32,
    ),
    "words 1-3 min_df 2": lambda: TfidfVectorizer(
        ngram_range=(1, 3), sublinear_tf=True, min_df=2, dtype=np.float32
    ),
    "words 1": lambda: TfidfVectorizer(sublinear_tf=True, dtype=np.float32),
    "words max_df 0.5": lambda: TfidfVectorizer(
        ngram_range=(1, 2), sublinear_tf=True, max_df=0.5, dtype=np.float32
    ),
    "words binary": lambda: TfidfVectorizer(
        ngram_range=(1, 2), sublinear_tf=True, binary=True, dtype=np.float32
    ),
    "char_wb 1-6": lambda: TfidfVectorizer(
        analyzer="char_wb", ngram_range=(1, 6), sublinear_tf=True, min_df=2, dtype=np.float32
    ),
    "char_wb 3-6": lambda: TfidfVectorizer(
        analyzer="char_wb", ngram_range=(3, 6), sublinear_tf=True, min_df=2, dtype=np.float32
    ),
    "char 2-5": lambda: TfidfVectorizer(
        analyzer="char", ngram_range=(2, 5), sublinear_tf=True, min_df=2, dtype=np.float32
    ),
    "word counts": lambda: CountVectorizer(ngram_range=(1, 2), binary=True, dtype=np.float32),
    "head": lambda: TfidfVectorizer(
        ngram_range=(1, 2),
        sublinear_tf=True,
        dtype=np.float32,
        preprocessor=lambda text: head_of(text).lower(),
    ),
}
HEAD_WORDS = 30


def head_of(text: str) -> str:
    """The subject and the first HEAD_WORDS words of the body: where a ticket usually says what it is about."""
    subject, _, body = text.partition("\n")
    return subject + "\n" + " ".join(body.split()[:HEAD_WORDS])


SHIPPED = (("words", 1.0), ("chars", CHAR_WEIGHT))


class Folds:
    """The texts, labels and folds, with each text block fitted once per training fold."""

    def __init__(self, seeds: tuple[int, ...]) -> None:
        with open(DATA, encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        self.texts = np.array([ticket_text(r["subject"], r["body"]) for r in rows], dtype=object)
        self.y = np.array([r["team"] for r in rows], dtype=object)
        # The file's own category code: a second label for shaping training only (the API gives text).
        self.codes = np.array([r["category_code"] for r in rows], dtype=object)
        self.splits = [
            split
            for seed in seeds
            for split in StratifiedKFold(5, shuffle=True, random_state=seed).split(self.texts, self.y)
        ]
        self._blocks: dict[tuple[str, int], tuple[sp.csr_matrix, sp.csr_matrix]] = {}

    def block(self, name: str, k: int) -> tuple[sp.csr_matrix, sp.csr_matrix]:
        if (name, k) not in self._blocks:
            train, test = self.splits[k]
            vectorizer = VECTORIZERS[name]()
            self._blocks[name, k] = (
                vectorizer.fit_transform(self.texts[train]).tocsr(),
                vectorizer.transform(self.texts[test]).tocsr(),
            )
        return self._blocks[name, k]

    def union(self, k: int, parts=SHIPPED) -> tuple[sp.csr_matrix, sp.csr_matrix]:
        blocks = [(self.block(name, k), weight) for name, weight in parts]
        return tuple(sp.hstack([pair[i] * weight for pair, weight in blocks]).tocsr() for i in (0, 1))


def svm_head(svm=None, percent: int = KEEP_PERCENT, method: str = "sigmoid") -> Pipeline:
    svm = svm if svm is not None else LinearSVC(C=SVM_C, class_weight="balanced")
    return Pipeline(
        [
            ("select", SelectPercentile(chi2, percentile=percent)),
            ("svm", CalibratedClassifierCV(svm, cv=5, method=method, ensemble=False)),
        ]
    )


class PowerBalancedSVC(LinearSVC):
    """Class weights (rows / (classes × class rows)) ** power: 1 is "balanced", 0 is none."""

    def __init__(self, C: float = SVM_C, power: float = 1.0) -> None:
        super().__init__(C=C)
        self.power = power

    def fit(self, X, y, sample_weight=None):
        counts = Counter(y)
        self.class_weight = {c: (len(y) / (len(counts) * n)) ** self.power for c, n in counts.items()}
        return super().fit(X, y)


Candidate = Callable[[Folds, int], np.ndarray]  # (folds, fold index) -> predicted labels of the test rows


def head_on(parts=SHIPPED, **options) -> Candidate:
    def predict(f: Folds, k: int) -> np.ndarray:
        train, _ = f.splits[k]
        a, b = f.union(k, parts)
        return svm_head(**options).fit(a, f.y[train]).predict(b)

    return predict


def _shipped_proba(f: Folds, k: int) -> tuple[np.ndarray, np.ndarray]:
    train, _ = f.splits[k]
    a, b = f.union(k)
    model = svm_head().fit(a, f.y[train])
    return model.classes_, model.predict_proba(b)


def _selected(f: Folds, k: int):
    train, _ = f.splits[k]
    a, b = f.union(k)
    select = SelectPercentile(chi2, percentile=KEEP_PERCENT).fit(a, f.y[train])
    return select.transform(a), select.transform(b), f.y[train]


def complement_nb(f: Folds, k: int) -> np.ndarray:
    train, _ = f.splits[k]
    a, b = f.block("word counts", k)
    return ComplementNB(alpha=1.0).fit(a, f.y[train]).predict(b)


def nb_svm(f: Folds, k: int, C: float = 0.05) -> np.ndarray:
    """One-vs-rest linear SVMs on binary word 1-2-grams scaled by their log-count ratio (Wang & Manning)."""
    train, _ = f.splits[k]
    a, b = f.block("word counts", k)
    y = f.y[train]
    classes, scores = np.unique(y), []
    for label in classes:
        mine = y == label
        p = 1.0 + np.asarray(a[mine].sum(axis=0)).ravel()
        q = 1.0 + np.asarray(a[~mine].sum(axis=0)).ravel()
        ratio = np.log((p / p.sum()) / (q / q.sum())).astype(np.float32)
        svm = LinearSVC(C=C, class_weight="balanced").fit(a.multiply(ratio).tocsr(), mine)
        scores.append(svm.decision_function(b.multiply(ratio).tocsr()))
    return classes[np.argmax(np.array(scores), axis=0)]


def blend_nb(f: Folds, k: int, weight: float = 0.2) -> np.ndarray:
    train, _ = f.splits[k]
    classes, p = _shipped_proba(f, k)
    a, b = f.block("word counts", k)
    q = MultinomialNB(alpha=0.1).fit(a, f.y[train]).predict_proba(b)
    return classes[((1 - weight) * p + weight * q).argmax(axis=1)]


def ridge(f: Folds, k: int) -> np.ndarray:
    a, b, y = _selected(f, k)
    return RidgeClassifier(alpha=1.0, class_weight="balanced").fit(a, y).predict(b)


def blend_ridge(f: Folds, k: int) -> np.ndarray:
    classes, p = _shipped_proba(f, k)
    a, b, y = _selected(f, k)
    decision = RidgeClassifier(alpha=1.0, class_weight="balanced").fit(a, y).decision_function(b) * 5
    q = np.exp(decision - decision.max(axis=1, keepdims=True))
    return classes[(0.5 * p + 0.5 * q / q.sum(axis=1, keepdims=True)).argmax(axis=1)]


def blend_logistic(f: Folds, k: int) -> np.ndarray:
    classes, p = _shipped_proba(f, k)
    a, b, y = _selected(f, k)
    q = LogisticRegression(C=20, max_iter=3000, class_weight="balanced").fit(a, y).predict_proba(b)
    return classes[(0.5 * p + 0.5 * q).argmax(axis=1)]


def sgd_ensemble(f: Folds, k: int) -> np.ndarray:
    a, b, y = _selected(f, k)
    total, model = 0, None
    for seed in range(5):
        model = SGDClassifier(
            loss="modified_huber",
            alpha=1e-4,
            class_weight="balanced",
            max_iter=50,
            tol=None,
            average=True,
            random_state=seed,
        ).fit(a, y)
        total = total + model.decision_function(b)
    return model.classes_[np.argmax(total, axis=1)]


def l1_plus_l2(f: Folds, k: int) -> np.ndarray:
    a, b, y = _selected(f, k)
    l2 = LinearSVC(C=SVM_C, class_weight="balanced").fit(a, y)
    l1 = LinearSVC(C=1.0, penalty="l1", dual=False, class_weight="balanced").fit(a, y)
    return l2.classes_[np.argmax(l2.decision_function(b) + l1.decision_function(b), axis=1)]


def with_lsa(f: Folds, k: int, components: int = 200, weight: float = 0.5) -> np.ndarray:
    a, b, y = _selected(f, k)
    words_train, words_test = f.block("words", k)
    svd = TruncatedSVD(components, random_state=0).fit(words_train)
    extra = []
    for words in (words_train, words_test):
        z = svd.transform(words)
        extra.append(sp.csr_matrix(weight * z / (np.linalg.norm(z, axis=1, keepdims=True) + 1e-9)))
    svm = CalibratedClassifierCV(
        LinearSVC(C=SVM_C, class_weight="balanced"), cv=5, method="sigmoid", ensemble=False
    )
    return svm.fit(sp.hstack([a, extra[0]]).tocsr(), y).predict(sp.hstack([b, extra[1]]).tocsr())


def prune_mislabelled(f: Folds, k: int) -> np.ndarray:
    """Drop training rows whose cross-validated probability of their own team is < 0.1 while another's is
    > 0.6 (likely mislabelled), then fit."""
    train, _ = f.splits[k]
    a, b = f.union(k)
    y = f.y[train]
    p = cross_val_predict(
        svm_head(), a, y, cv=StratifiedKFold(5, shuffle=True, random_state=0), method="predict_proba"
    )
    own = p[np.arange(len(y)), np.searchsorted(np.unique(y), y)]
    keep = ~((own < 0.1) & (p.max(axis=1) > 0.6))
    return svm_head().fit(a[keep], y[keep]).predict(b)


def three_views(words: str = "words", combine=pooled, **options) -> Candidate:
    """Three calibrated heads (words only, characters only, both), their probabilities combined (the
    shipped model: a log-linear pool, escalation.triage.features.pooled)."""

    def predict(f: Folds, k: int) -> np.ndarray:
        train, _ = f.splits[k]
        probabilities, model = [], None
        for a, b in (
            f.block(words, k),
            f.block("chars", k),
            f.union(k, ((words, 1.0), ("chars", CHAR_WEIGHT))),
        ):
            model = svm_head(**options).fit(a, f.y[train])
            probabilities.append(model.predict_proba(b))
        return model.classes_[np.argmax(combine(probabilities), axis=1)]

    return predict


def arithmetic_mean(probabilities: list[np.ndarray]) -> np.ndarray:
    return sum(probabilities) / len(probabilities)


def joint_labels(min_rows: int) -> Candidate:
    """One class per (team, category code); a class under `min_rows` rows joins its team's largest.
    The team's probability is the sum over its classes."""

    def predict(f: Folds, k: int) -> np.ndarray:
        train, _ = f.splits[k]
        a, b = f.union(k)
        joint = [f"{team}|{code}" for team, code in zip(f.y[train], f.codes[train], strict=True)]
        counts = Counter(joint)
        largest: dict[str, str] = {}
        for label, _ in counts.most_common():
            largest.setdefault(label.split("|")[0], label)
        joint = [label if counts[label] >= min_rows else largest[label.split("|")[0]] for label in joint]
        model = svm_head().fit(a, np.array(joint, dtype=object))
        p = model.predict_proba(b)
        teams = np.array([label.split("|")[0] for label in model.classes_])
        names = np.unique(teams)
        return names[np.stack([p[:, teams == t].sum(axis=1) for t in names], axis=1).argmax(axis=1)]

    return predict


def category_stacked(f: Folds, k: int, min_rows: int = 20) -> np.ndarray:
    """Out-of-fold category-code probabilities (codes under `min_rows` rows as one) appended to the features."""
    train, _ = f.splits[k]
    a, b = f.union(k)
    counts = Counter(f.codes[train])
    codes = np.array([c if counts[c] >= min_rows else "other" for c in f.codes[train]], dtype=object)
    inner = StratifiedKFold(3, shuffle=True, random_state=0)
    seen = cross_val_predict(svm_head(), a, codes, cv=inner, method="predict_proba")
    unseen = svm_head().fit(a, codes).predict_proba(b)
    a = sp.hstack([a, sp.csr_matrix(seen)]).tocsr()
    b = sp.hstack([b, sp.csr_matrix(unseen)]).tocsr()
    return svm_head().fit(a, f.y[train]).predict(b)


def rbf_svm(f: Folds, k: int, C: float = 3.0) -> np.ndarray:
    """A kernel SVM (RBF on the selected, L2-normalised features: a function of cosine similarity)."""
    a, b, y = _selected(f, k)
    return SVC(C=C, gamma=1.0, class_weight="balanced").fit(a, y).predict(b)


def blend_rbf(f: Folds, k: int) -> np.ndarray:
    classes, p = _shipped_proba(f, k)
    a, b, y = _selected(f, k)
    q = SVC(C=10, gamma=1.0, class_weight="balanced", probability=True, random_state=0).fit(a, y)
    return classes[(0.5 * p + 0.5 * q.predict_proba(b)).argmax(axis=1)]


def hinge(C: float) -> LinearSVC:
    return LinearSVC(C=C, loss="hinge", class_weight="balanced", max_iter=10_000)


CANDIDATES: dict[str, Candidate] = {
    "shipped model (three views, rebuilt from its blocks)": three_views(),
    "one head on words + chars (shipped until 2026-12-05)": head_on(),
    "three views, plain mean of probabilities": three_views(combine=arithmetic_mean),
    "ComplementNB, binary word 1-2 counts": complement_nb,
    "NB-SVM (log-count ratio), C 0.05": nb_svm,
    "shipped + 0.2 x MultinomialNB probabilities": blend_nb,
    "words 1-3 (min_df 2) instead of 1-2": head_on((("words 1-3 min_df 2", 1.0), ("chars", CHAR_WEIGHT))),
    "words 1-2 + 0.5 x words 1-3 + chars": head_on((*SHIPPED, ("words 1-3 min_df 2", 0.5))),
    "words unigrams only + chars": head_on((("words 1", 1.0), ("chars", CHAR_WEIGHT))),
    "words max_df 0.5": head_on((("words max_df 0.5", 1.0), ("chars", CHAR_WEIGHT))),
    "words binary tf": head_on((("words binary", 1.0), ("chars", CHAR_WEIGHT))),
    "chars char_wb 1-6": head_on((("words", 1.0), ("char_wb 1-6", CHAR_WEIGHT))),
    "chars char_wb 3-6": head_on((("words", 1.0), ("char_wb 3-6", CHAR_WEIGHT))),
    "chars char 2-5 (across words)": head_on((("words", 1.0), ("char 2-5", CHAR_WEIGHT))),
    "chars weight 0.5": head_on((("words", 1.0), ("chars", 0.5))),
    "chars weight 1.0": head_on((("words", 1.0), ("chars", 1.0))),
    "class weights balanced^0.5": head_on(svm=PowerBalancedSVC(power=0.5)),
    "class weights none": head_on(svm=LinearSVC(C=SVM_C)),
    "no chi2 selection, C 0.3": head_on(svm=LinearSVC(C=0.3, class_weight="balanced"), percent=100),
    "hinge loss, C 0.3": head_on(svm=hinge(0.3)),
    "hinge loss, C 0.6": head_on(svm=hinge(0.6)),
    "hinge loss + words max_df 0.5": head_on(
        (("words max_df 0.5", 1.0), ("chars", CHAR_WEIGHT)), svm=hinge(0.6)
    ),
    "Crammer-Singer multi-class SVM": head_on(
        svm=LinearSVC(C=SVM_C, class_weight="balanced", multi_class="crammer_singer")
    ),
    "isotonic calibration": head_on(method="isotonic"),
    "ridge classifier (selected features)": ridge,
    "shipped + ridge (softmax) 50/50": blend_ridge,
    "shipped + logistic regression C 20, 50/50": blend_logistic,
    "SGD modified_huber, 5 seeds averaged": sgd_ensemble,
    "LinearSVC L2 + L1 decisions summed": l1_plus_l2,
    "+ LSA (200 SVD components of words)": with_lsa,
    "prune likely mislabelled training rows": prune_mislabelled,
    "three views + hinge + words max_df 0.5": three_views("words max_df 0.5", svm=hinge(0.6)),
    "joint (team, category code) classes, min 10": joint_labels(10),
    "joint (team, category code) classes, min 30": joint_labels(30),
    "category-code probabilities stacked": category_stacked,
    "+ 0.5 x head (subject + first 30 words)": head_on((*SHIPPED, ("head", 0.5))),
    "RBF-kernel SVM, C 3": rbf_svm,
    "shipped + RBF-kernel SVM probabilities 50/50": blend_rbf,
}


def corrected_t(differences: np.ndarray, test_share: float) -> float:
    """Nadeau & Bengio's corrected resampled t for repeated k-fold differences."""
    n = len(differences)
    variance = differences.var(ddof=1) * (1 / n + test_share / (1 - test_share))
    return float(differences.mean() / math.sqrt(variance)) if variance > 0 else float("inf")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--only", nargs="*", help="candidate names (the shipped model always runs first)")
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    folds = Folds(tuple(args.seeds))
    names = list(CANDIDATES)
    if args.only:
        names = [names[0], *(n for n in names[1:] if n in args.only)]
    print(f"{len(folds.y)} tickets; stratified 5-fold CV, seeds {args.seeds}: {len(folds.splits)} folds")
    print(f"{'candidate':46} macro-F1 mean ± sd   paired diff mean ± sd  wins  corrected t")
    baseline = None
    for name in names:
        started = time.perf_counter()
        scores = np.array(
            [
                f1_score(folds.y[test], CANDIDATES[name](folds, k), average="macro")
                for k, (_, test) in enumerate(folds.splits)
            ]
        )
        line = f"{name:46} {scores.mean():.4f} ± {scores.std(ddof=1):.4f}"
        if baseline is None:
            baseline = scores
        else:
            diff = scores - baseline
            line += (
                f"   {diff.mean():+.4f} ± {diff.std(ddof=1):.4f}  {int((diff > 0).sum()):2d}/{len(diff)}"
                f"  {corrected_t(diff, 0.2):+.2f}"
            )
        print(f"{line}  ({time.perf_counter() - started:.0f} s)", flush=True)


if __name__ == "__main__":
    main()
