"""Saving and loading model versions (escalation.triage.versions says which one is active).

Each process keeps the active version unpickled in memory and asks the database which version is active
on every use (one indexed single-row query): a version trained or rolled back in another process is
picked up by the next ticket, and a ticket is never triaged half with the old model and half with the
new one, because the swap replaces one reference.
"""

from __future__ import annotations

import datetime as dt
import io
import threading
from dataclasses import dataclass

import joblib
import numpy as np
import scipy.sparse as sp
from django.db import transaction
from django.utils import timezone

from escalation.models import TriageModelVersion
from escalation.triage.compiled import compile_head
from escalation.triage.features import TicketFeatures
from escalation.triage.training import TrainingResult
from escalation.triage.versions import activate_version, active_version_pk, versions_generation


@dataclass(frozen=True)
class HeadGuess:
    label: str
    probability: float
    probabilities: dict[str, float]


@dataclass(frozen=True)
class LoadedModel:
    pk: int
    version: str
    embedding: object
    heads: dict[str, object]
    end_tiers: dict[str, int]
    # language -> its share of the tickets learnt from ({} for versions trained before this was kept)
    languages: dict[str, float]

    def predict(self, features: TicketFeatures) -> dict[str, HeadGuess]:
        """Every head's best label and calibrated probability for one ticket."""
        matrix = sp.csr_matrix(self.embedding.transform([features]))
        guesses = {}
        for name, head in self.heads.items():
            probabilities = head.predict_proba(matrix)[0]
            best = int(np.argmax(probabilities))
            guesses[name] = HeadGuess(
                str(head.classes_[best]),
                float(probabilities[best]),
                {str(label): float(p) for label, p in zip(head.classes_, probabilities, strict=True)},
            )
        return guesses


def _dump(result: TrainingResult) -> bytes:
    buffer = io.BytesIO()
    payload = {
        "embedding": result.trained.embedding,
        "heads": {
            name: compile_head(head, result.trained.n_columns) for name, head in result.trained.heads.items()
        },
        "end_tiers": result.end_tiers,
        "languages": result.languages,
    }
    joblib.dump(payload, buffer, compress=3)
    return buffer.getvalue()


def save_version(
    result: TrainingResult, *, since: dt.date | None = None, activate: bool = True
) -> TriageModelVersion:
    """Store a trained version; activating it retires the previous one in the same transaction."""
    artifact = _dump(result)
    now = timezone.now()
    with transaction.atomic():
        version = TriageModelVersion.objects.create(
            version=_version_name(now),
            trained_at=now,
            trained_since=since,
            rows=result.rows,
            holdout_rows=result.holdout_rows,
            seconds=round(result.seconds, 2),
            metrics=result.report,
            artifact=artifact,
            artifact_bytes=len(artifact),
        )
        if activate:
            activate_version(version)
    return version


def _version_name(now: dt.datetime) -> str:
    name = now.strftime("%Y%m%d-%H%M%S")
    taken = TriageModelVersion.objects.filter(version__startswith=name).count()
    return f"{name}-{taken + 1}" if taken else name


_loaded: LoadedModel | None = None
# The versions' generation the loaded model belongs to: a row id can come back after a rolled-back
# transaction on SQLite with another model in it, so a saved or deleted version drops the loaded one.
_loaded_generation = -1


_lock = threading.Lock()


def active_model() -> LoadedModel | None:
    """The active version, loaded once per process (None on a fresh install: triage uses keywords)."""
    global _loaded, _loaded_generation
    current = active_version_pk()
    if current is None:
        return None
    generation = versions_generation()
    loaded = _loaded
    if loaded is not None and loaded.pk == current and _loaded_generation == generation:
        return loaded
    with _lock:
        if _loaded is None or _loaded.pk != current or _loaded_generation != generation:
            row = TriageModelVersion.objects.filter(pk=current).values_list("version", "artifact").first()
            if row is None:  # deactivated between the two queries: the next call sees the new state
                return _loaded if _loaded and _loaded.pk == current else None
            payload = joblib.load(io.BytesIO(bytes(row[1])))
            _loaded = LoadedModel(
                current,
                row[0],
                payload["embedding"],
                payload["heads"],
                payload["end_tiers"],
                payload.get("languages", {}),
            )
            _loaded_generation = generation
        return _loaded
