"""A trained head reduced to arrays, so one ticket is scored in microseconds instead of milliseconds.

A head is `Columns -> SelectPercentile -> CalibratedClassifierCV(LinearSVC, sigmoid,
ensemble=False)`, or the mean of several such heads (`MeanOfViews`). Asking
scikit-learn for one row's probabilities costs ~3 ms of input checks and column slicing per head; the
arithmetic is tiny: keep the selected columns of the (very sparse) row, one small matrix product, a
sigmoid per class, normalise. `CompiledHead` does exactly that arithmetic, and tests check it gives
scikit-learn's own `predict_proba` to 1e-6. A head of another shape is kept as it is (`SklearnHead`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.special import expit

from escalation.triage.features import MeanOfViews, View, pooled


@dataclass(frozen=True)
class CompiledHead:
    classes_: np.ndarray
    column: np.ndarray  # embedding column -> position among the selected columns, or -1
    coef: np.ndarray  # (outputs, selected columns)
    intercept: np.ndarray  # (outputs,)
    slope: np.ndarray  # sigmoid calibration per output: p = expit(-(slope * decision + offset))
    offset: np.ndarray
    output_class: np.ndarray  # which class each output calibrates

    def predict_proba(self, row: sp.csr_matrix) -> np.ndarray:
        indices, values = row.indices, row.data
        positions = self.column[indices]
        kept = positions >= 0
        decision = self.coef[:, positions[kept]] @ values[kept] + self.intercept
        calibrated = expit(-(self.slope * decision + self.offset))
        n_classes = len(self.classes_)
        proba = np.zeros(n_classes)
        if n_classes == 2:  # scikit-learn calibrates only the positive class of a binary problem
            proba[1] = calibrated[0]
            proba[0] = 1.0 - proba[1]
        else:
            proba[self.output_class] = calibrated
            total = proba.sum()
            proba = proba / total if total else np.full(n_classes, 1.0 / n_classes)
        return proba[np.newaxis, :]


@dataclass(frozen=True)
class CompiledMean:
    members: tuple[CompiledHead, ...]

    @property
    def classes_(self) -> np.ndarray:
        return self.members[0].classes_

    def predict_proba(self, row: sp.csr_matrix) -> np.ndarray:
        return pooled([member.predict_proba(row) for member in self.members])


@dataclass(frozen=True)
class SklearnHead:
    pipeline: object

    @property
    def classes_(self) -> np.ndarray:
        return self.pipeline.classes_

    def predict_proba(self, row) -> np.ndarray:
        return self.pipeline.predict_proba(row)


def compile_head(head, n_columns: int) -> CompiledHead | CompiledMean | SklearnHead:
    """The arrays behind a fitted head, or the head itself when it is not the expected shape."""
    if isinstance(head, MeanOfViews):
        members = [_compiled_pipeline(member, n_columns) for member in head.members_]
        if all(member is not None for member in members):
            return CompiledMean(tuple(members))
        return SklearnHead(head)
    return _compiled_pipeline(head, n_columns) or SklearnHead(head)


def _compiled_pipeline(pipeline, n_columns: int) -> CompiledHead | None:
    columns = pipeline.named_steps.get("columns")
    select, calibrated = pipeline.named_steps.get("select"), pipeline.named_steps.get("svm")
    members = getattr(calibrated, "calibrated_classifiers_", [])
    if select is None or len(members) != 1 or not all(hasattr(c, "a_") for c in members[0].calibrators):
        return None
    view = columns.view if columns is not None and columns.view is not None else View()
    member = members[0]
    svm, classes = member.estimator, calibrated.classes_
    # The head read a slice of the embedding, scaled: its selected positions are shifted back to the
    # embedding's columns and the scale folded into the weights (columns outside the slice map to -1).
    selected = view.start + np.flatnonzero(select.get_support())
    column = np.full(n_columns, -1, dtype=np.int64)
    column[selected] = np.arange(len(selected))
    return CompiledHead(
        classes_=classes,
        column=column,
        coef=np.asarray(svm.coef_, dtype=np.float64) * view.scale,
        intercept=np.asarray(svm.intercept_, dtype=np.float64),
        slope=np.array([c.a_ for c in member.calibrators], dtype=np.float64),
        offset=np.array([c.b_ for c in member.calibrators], dtype=np.float64),
        output_class=np.searchsorted(classes, svm.classes_) if len(classes) > 2 else np.array([1]),
    )
