"""What the triage models see of a ticket, and the scikit-learn pipelines that learn from it.

One `TicketFeatures` row per ticket: its text (subject + body, and the customer's later messages when
re-triaging) and the metadata known when it arrives (channel, segment, contract value, VIP, repeat
contacts). Training and prediction build rows with the same function, so a ticket submitted through the
API is seen exactly as the imported history was.

The text is embedded once (word 1-2-grams and character 2-5-grams, TF-IDF) and shared by every head
(team, category, priority, escalation); each head keeps the features most associated with its labels
(chi-squared) and a linear SVM calibrated by cross-validation, so its probabilities can be trusted as
confidence. Where a ticket belongs (team, category) is read from its text alone; how urgent it is and
whether it will need a higher tier also depend on who sends it and how (the metadata). docs/triage.md
has the measurements that chose these settings.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin, clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction import DictVectorizer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.feature_selection import SelectPercentile, chi2
from sklearn.linear_model import SGDClassifier
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import FunctionTransformer, MaxAbsScaler
from sklearn.svm import LinearSVC

CHAR_WEIGHT = 0.7  # character n-grams help with typos and word forms, but words carry more signal
KEEP_PERCENT = 20  # of the text features, per head (chi-squared); see the grid in docs/triage.md
SVM_C = 0.6
LARGE_HISTORY = 15_000
SGD_ALPHA_ROWS = 0.75  # alpha = this / rows: as much regularisation as C = 0.5 gives liblinear
# Heads that read only the text. A team learnt from metadata follows where history happened to come
# from: imported tickets all arrive "by e-mail" from nobody in particular, so an API ticket from a
# repeat or enterprise customer was sent to the teams of the demo's customers (docs/triage.md).
TEXT_ONLY_HEADS = frozenset({"team", "category"})


@dataclass(frozen=True)
class TicketFeatures:
    text: str
    channel: str = ""
    segment: str = ""
    contract_value: float = 0.0
    vip: bool = False
    repeat_contacts: int = 0

    def metadata(self) -> dict[str, float]:
        """Non-negative numbers (chi-squared selection needs them): one-hot names, logs of amounts."""
        return {
            f"channel={self.channel or 'unknown'}": 1.0,
            f"segment={self.segment or 'unknown'}": 1.0,
            "log_contract_value": math.log1p(max(self.contract_value, 0.0)),
            "vip": float(self.vip),
            "log_repeat_contacts": math.log1p(max(self.repeat_contacts, 0)),
        }


def ticket_text(subject: str, body: str, *later: str) -> str:
    return "\n".join(part for part in (subject, body, *later) if part)


def _texts(rows: list[TicketFeatures]) -> list[str]:
    return [row.text for row in rows]


def _metadata(rows: list[TicketFeatures]) -> list[dict[str, float]]:
    return [row.metadata() for row in rows]


def embedding() -> FeatureUnion:
    """Rows -> one sparse matrix: text TF-IDF blocks plus metadata columns (fitted once per training)."""
    words = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, max_features=400_000, dtype=np.float32)
    chars = TfidfVectorizer(
        analyzer="char_wb",
        ngram_range=(2, 5),
        sublinear_tf=True,
        min_df=2,
        max_features=400_000,
        dtype=np.float32,
    )
    text = Pipeline(
        [
            ("pick", FunctionTransformer(_texts)),
            (
                "tfidf",
                FeatureUnion(
                    [("words", words), ("chars", chars)], transformer_weights={"chars": CHAR_WEIGHT}
                ),
            ),
        ]
    )
    # Scaled to 0..1 like the TF-IDF values: an unscaled count would dominate the SVM and slow it down.
    meta = Pipeline(
        [("pick", FunctionTransformer(_metadata)), ("onehot", DictVectorizer()), ("scale", MaxAbsScaler())]
    )
    return FeatureUnion([("text", text), ("meta", meta)])


@dataclass(frozen=True)
class View:
    """Columns [start, stop) of the embedding, times `scale` (None: to the end)."""

    start: int = 0
    stop: int | None = None
    scale: float = 1.0


@dataclass(frozen=True)
class TextLayout:
    """Where the text blocks sit in a fitted embedding: words first, then characters, then metadata."""

    words: int
    chars: int

    @property
    def text(self) -> View:
        return View(0, self.words + self.chars)

    def views(self) -> tuple[View, ...]:
        """The team head's three readings of the text: words alone, characters alone (at full weight),
        both as embedded."""
        return (
            View(0, self.words),
            View(self.words, self.words + self.chars, 1 / CHAR_WEIGHT),
            self.text,
        )


def text_layout(fitted_embedding: FeatureUnion) -> TextLayout:
    text = dict(fitted_embedding.transformer_list)["text"].named_steps["tfidf"]
    blocks = dict(text.transformer_list)
    return TextLayout(len(blocks["words"].vocabulary_), len(blocks["chars"].vocabulary_))


class Columns(TransformerMixin, BaseEstimator):
    """One view of the embedding (`View`): a slice of its columns, scaled."""

    def __init__(self, view: View | None = None) -> None:
        self.view = view

    def fit(self, X, y=None):  # noqa: N803 (scikit-learn's argument names)
        return self

    def transform(self, X):  # noqa: N803
        view = self.view
        if view is None:
            return X
        part = X[:, view.start : view.stop]
        return part * view.scale if view.scale != 1.0 else part


# Each view's exponent when their probabilities are pooled (a log-linear pool: p ∝ Π p_view ** w). The
# plain geometric mean (1/3 each) was under-confident, ECE 0.053; 0.4 measured ECE 0.027 on 30 folds of
# the real IT tickets, below one head's 0.047 (docs/triage.md). The exponent never changes which team wins.
VIEW_WEIGHT = 0.4


def pooled(probabilities: list[np.ndarray], weight: float = VIEW_WEIGHT) -> np.ndarray:
    """Rows of class probabilities combined by a log-linear pool: a team must be likely in every view."""
    logs = weight * sum(np.log(np.clip(p, 1e-12, 1.0)) for p in probabilities)
    combined = np.exp(logs - logs.max(axis=1, keepdims=True))
    return combined / combined.sum(axis=1, keepdims=True)


class MeanOfViews(ClassifierMixin, BaseEstimator):
    """Calibrated heads, each reading another view of the text, their probabilities `pooled`. On the
    real IT tickets this scored a little above one head on the whole text (docs/triage.md: three views)."""

    def __init__(self, members: list[Pipeline]) -> None:
        self.members = members

    def fit(self, X, y):  # noqa: N803
        self.members_ = [clone(member).fit(X, y) for member in self.members]
        self.classes_ = self.members_[0].classes_
        return self

    def predict_proba(self, X):  # noqa: N803
        return pooled([member.predict_proba(X) for member in self.members_])

    def predict(self, X):  # noqa: N803
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]


def head_classifier(head: str, n_rows: int, n_rows_smallest_class: int, layout: TextLayout):
    """What each head reads and how it learns. Where a ticket belongs (team, category) is read from its
    text alone; the team, the one every ticket needs, from three views of it up to LARGE_HISTORY rows
    (above, three fits would take train_router past its time budget, and one head has data enough).
    Priority and escalation read the metadata too."""
    if head == "team" and n_rows <= LARGE_HISTORY:
        return MeanOfViews([classifier(n_rows, n_rows_smallest_class, view=v) for v in layout.views()])
    view = layout.text if head in TEXT_ONLY_HEADS else None
    return classifier(n_rows, n_rows_smallest_class, view=view)


def classifier(n_rows: int, n_rows_smallest_class: int, *, view: View | None = None) -> Pipeline:
    """One head: keep the informative features (of `view`, or the whole embedding), then a calibrated
    linear SVM.

    Up to LARGE_HISTORY rows, liblinear's exact solver (the best macro-F1 in docs/triage.md); above it,
    the same hinge loss by averaged stochastic gradient descent, which is ~10x faster there and loses
    little when rows are plentiful (liblinear took 45 s per fit on 40,000 tickets). Calibration folds
    cannot outnumber the rarest class's rows, so tiny histories get fewer folds.
    """
    folds = max(2, min(3 if n_rows > LARGE_HISTORY else 5, n_rows_smallest_class))
    if n_rows > LARGE_HISTORY:
        svm = SGDClassifier(
            loss="hinge",
            alpha=SGD_ALPHA_ROWS / n_rows,
            average=True,
            class_weight="balanced",
            max_iter=20,
            tol=1e-3,
            random_state=0,
            n_jobs=2,
        )
    else:
        svm = LinearSVC(C=SVM_C, class_weight="balanced")
    return Pipeline(
        [
            ("columns", Columns(view)),
            ("select", SelectPercentile(chi2, percentile=KEEP_PERCENT)),
            ("svm", CalibratedClassifierCV(svm, cv=folds, method="sigmoid", ensemble=False)),
        ]
    )
