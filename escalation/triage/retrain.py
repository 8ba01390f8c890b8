"""One training run, end to end: history -> trained heads -> a saved, active version -> a report.

`manage.py train_router` and the weekly django-q2 schedule both call `retrain`.
"""

from __future__ import annotations

import datetime as dt

from escalation.models import TriageModelVersion
from escalation.triage.store import save_version
from escalation.triage.training import NotEnoughHistory, Step, load_history, train


def retrain(*, since: dt.date | None = None, step: Step = lambda name: None) -> TriageModelVersion:
    """Train on the resolved history and activate the result (raises NotEnoughHistory on too little)."""
    step("loading history")
    history = load_history(since)
    result = train(history, step=step)
    step("saving")
    return save_version(result, since=since)


def report_lines(version: TriageModelVersion) -> list[str]:
    """The held-out metrics, as a person reads them in a terminal."""
    lines = [
        f"Model {version.version}: {version.rows} tickets, newest {version.holdout_rows} held out, "
        f"{version.seconds:.1f} s."
    ]
    for head, report in version.metrics.items():
        if "skipped" in report or "unmeasured" in report:
            reason = report.get("unmeasured") or f"not trained: {report['skipped']}"
            lines.append(f"  {head}: {reason}")
            continue
        lines.append(
            f"  {head}: accuracy {report['accuracy']:.3f}, macro-F1 {report['macro_f1']:.3f}, "
            f"calibration error {report['ece']:.3f} on {report['rows']} held-out tickets"
        )
        for row in report["per_class"]:
            lines.append(
                f"      {row['label'][:28]:<28} precision {row['precision']:.2f}  recall {row['recall']:.2f}"
                f"  F1 {row['f1']:.2f}  ({row['support']})"
            )
    return lines


def scheduled_retrain() -> str:
    """The weekly task: a summary line, or why there was nothing to train on (not an error)."""
    try:
        version = retrain()
    except NotEnoughHistory as reason:
        return f"Not trained: {reason}"
    return report_lines(version)[0]
