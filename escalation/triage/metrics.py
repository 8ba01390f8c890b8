"""How good a trained head is on rows it never saw: the numbers stored with every model version.

All JSON-ready (plain lists and floats), because they live in the database and feed the model card.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, precision_recall_fscore_support

CALIBRATION_BINS = 10


def reliability(confidence: np.ndarray, correct: np.ndarray, bins: int = CALIBRATION_BINS) -> list[dict]:
    """Per confidence band: how many predictions, their mean confidence, and how often they were right."""
    edges = np.linspace(0.0, 1.0, bins + 1)
    rows = []
    for low, high in zip(edges[:-1], edges[1:], strict=True):
        inside = (confidence > low) & (confidence <= high) if low > 0 else (confidence <= high)
        if inside.any():
            rows.append(
                {
                    "low": round(float(low), 2),
                    "high": round(float(high), 2),
                    "count": int(inside.sum()),
                    "confidence": float(confidence[inside].mean()),
                    "accuracy": float(correct[inside].mean()),
                }
            )
    return rows


def expected_calibration_error(bands: list[dict]) -> float:
    """Mean gap between confidence and accuracy, weighted by how many predictions fall in each band."""
    total = sum(band["count"] for band in bands)
    if not total:
        return 0.0
    return sum(band["count"] * abs(band["confidence"] - band["accuracy"]) for band in bands) / total


def evaluate(truth: Sequence[str], probabilities: np.ndarray, classes: Sequence[str]) -> dict:
    """Held-out report: accuracy, macro-F1, per-class precision/recall/F1, ECE, reliability, confusion.

    Per-class numbers and macro-F1 cover the labels present among the held-out tickets; predictions of
    other labels still count as mistakes (accuracy, recall)."""
    truth = np.asarray(truth, dtype=object)
    predicted = np.asarray(list(classes), dtype=object)[probabilities.argmax(axis=1)]
    # Only labels the held-out tickets carry: a team with no recent tickets has no F1 to average in.
    present = set(truth)
    labels = [label for label in classes if label in present]
    confidence = probabilities.max(axis=1)
    precision, recall, f1, support = precision_recall_fscore_support(
        truth, predicted, labels=labels, zero_division=0
    )
    bands = reliability(confidence, predicted == truth)
    return {
        "rows": int(len(truth)),
        "accuracy": float(accuracy_score(truth, predicted)),
        "macro_f1": float(f1_score(truth, predicted, labels=labels, average="macro", zero_division=0)),
        "ece": expected_calibration_error(bands),
        "per_class": [
            {"label": label, "precision": float(p), "recall": float(r), "f1": float(f), "support": int(s)}
            for label, p, r, f, s in zip(labels, precision, recall, f1, support, strict=True)
        ],
        "calibration": bands,
        "confusion": {"labels": labels, "matrix": confusion_matrix(truth, predicted, labels=labels).tolist()},
    }
