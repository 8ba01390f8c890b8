"""Predictive escalation ("skip tier 1") on a time-split hold-out of the history in the database.

    DATABASE_URL=... python bench/predictive_escalation.py

The models are fitted on the oldest 80% of resolved tickets (as `train_router` does) and the escalation
head scores the newest 20%. For each threshold: how many new tickets would skip tier 1, and of those how
many really escalated (precision), and how many of the escalated ones would have skipped (recall).
"Always tier 1" skips none (recall 0). Only history that records escalations counts (an imported CSV
without an `escalated` column says nothing). Figures go to docs/triage.md.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
THRESHOLDS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8)


def main() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from escalation.models import RoutingConfig
    from escalation.triage.training import fit, load_history

    history = load_history()
    n = len(history)
    cut = int(n * 0.8)
    older, newer = np.arange(cut), np.arange(cut, n)
    trained = fit(history, older, step=lambda name: None)
    head = trained.heads.get("escalation")
    if head is None:
        print("No escalation head: the history does not record escalations.", trained.skipped)
        return
    labelled = [i for i in newer if history.labels["escalation"][i] is not None]
    matrix = trained.embedding.transform([history.features[i] for i in labelled])
    column = list(head.classes_).index("escalated")
    p = head.predict_proba(matrix)[:, column]
    truth = np.array([history.labels["escalation"][i] == "escalated" for i in labelled])
    live = RoutingConfig.objects.filter(pk=1).values_list("predictive_escalation", flat=True).first()
    print(f"{n} tickets; hold-out: newest {len(labelled)} ({truth.sum()} escalated, {truth.mean():.1%})")
    print(f"live threshold: {live}")
    print("threshold  skip-tier-1  precision  recall  wrongly-skipped")
    for threshold in THRESHOLDS:
        skip = p >= threshold
        hits = int((skip & truth).sum())
        precision = hits / skip.sum() if skip.sum() else float("nan")
        recall = hits / truth.sum() if truth.sum() else float("nan")
        print(
            f"{threshold:9.2f}  {int(skip.sum()):11d}  {precision:9.3f}  {recall:6.3f}  {int((skip & ~truth).sum()):15d}"
        )


if __name__ == "__main__":
    main()
