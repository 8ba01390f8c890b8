"""Predictive escalation ("skip tier 1") against "always tier 1" on a time-split hold-out.

    DATABASE_URL=... python bench/predictive_escalation.py          # the history in that database
    python bench/predictive_escalation.py --demo-seeds 1 2 3 4 5     # fresh demo histories, pooled

The models are fitted on the oldest 80% of resolved tickets (as `train_router` does) and score the newest
20%. A held-out ticket skips tier 1 at threshold t when the escalation head's probability reaches t and
the tier that escalated tickets of its predicted team ended at (learned from the older 80%) is above 1:
the two conditions routing applies (escalation.routing.placement.predicted_tier).

For each threshold:
- precision / recall of the skips against the label the head learns ("escalated": ended above tier 1;
  with `--label any`, as before: any escalation, a change of team included);
- over-escalation: the share of skipped tickets that never went above tier 1 in history (resolved at
  tier 1, perhaps after a change of team, which skipping a tier does not help);
- resolution time (hours from creation to resolution) of every held-out ticket under "always tier 1"
  (what happened) and under "skip tier 1 at t", estimated from the events:
  - a skipped ticket that went above tier 1 saves the time before its first tier raise (the earliest
    event moving it from tier 1 to a higher tier): it is resolved that much sooner;
  - a skipped ticket that stayed at tier 1 is handled at tier 2 instead: its resolution time is multiplied
    by the history's tier-2/tier-1 ratio of handling time, the median hours from arriving to resolution
    of tickets handed to tier 2 (resolved there) over tickets handed to another team at tier 1 (resolved
    there). Both were handed over, so they are the closest comparable pair the history has; no ticket
    starts at tier 2 without an escalation in the demo history, so "tier 2 handling a ticket that did not
    need it" cannot be observed directly.
`--demo-seeds` seeds a throw-away SQLite database per seed (`seed_demo --tickets 2000`), measures each
and pools the held-out tickets. Figures go to docs/triage.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
THRESHOLDS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8)
MAX_OVER_ESCALATION = 0.35  # the default must skip tier 1 needlessly for at most this share of its skips


@dataclass(frozen=True)
class Timing:
    """One resolved ticket's clock, from its row and its events."""

    hours: float  # creation -> resolution
    raised_after: float | None  # creation -> first move from tier 1 to a higher tier (None: never)
    raised: bool  # ended above tier 1 or was moved above it at some point


@dataclass(frozen=True)
class HeldOut:
    """One held-out ticket: what the model said and what happened."""

    probability: float  # of "escalated"
    higher_tier: bool  # its predicted team's escalations ended above tier 1
    escalated: bool
    raised: bool
    hours: float  # always tier 1
    skipped_hours: float  # had it skipped tier 1


def skip_hours(timing: Timing, tier2_ratio: float) -> float:
    """Estimated resolution time had the ticket started above tier 1 (see the module docstring)."""
    if timing.raised and timing.raised_after is not None:
        return timing.hours - timing.raised_after
    return timing.hours * tier2_ratio


def _hours(later: dt.datetime, earlier: dt.datetime) -> float:
    return (later - earlier).total_seconds() / 3600


def timings(ticket_ids: list[int]) -> tuple[dict[int, Timing], dict[str, list[float]]]:
    """Each ticket's timing, and the hours from arriving to resolution of handed-over tickets ("tier 2":
    raised to tier 2 and resolved there; "tier 1": moved to another team at tier 1 and resolved there)."""
    from helpdesk.models import Ticket, TicketEvent

    moves = defaultdict(list)
    events = (
        TicketEvent.objects.filter(ticket_id__in=ticket_ids)
        .exclude(to_tier=None, to_team=None)
        .select_related("from_tier", "to_tier")
        .order_by("created_at", "pk")
    )
    for event in events.iterator(chunk_size=2000):
        moves[event.ticket_id].append(event)
    result, handed = {}, {"tier 1": [], "tier 2": []}
    for ticket in Ticket.objects.filter(pk__in=ticket_ids).select_related("tier"):
        history = moves[ticket.pk]
        raises = [
            e for e in history if e.from_tier and e.to_tier and e.from_tier.level == 1 < e.to_tier.level
        ]
        level = ticket.tier.level if ticket.tier else 1
        result[ticket.pk] = Timing(
            hours=_hours(ticket.resolved_at, ticket.created_at),
            raised_after=_hours(raises[0].created_at, ticket.created_at) if raises else None,
            raised=level > 1 or bool(raises),
        )
        into_tier = [e for e in history if e.to_tier and e.to_tier.level == level and e.from_tier]
        handovers = [e for e in into_tier if e.from_tier.level != level]
        team_changes = [e for e in history if e.code == "escalation.functional"]
        if level == 2 and handovers:
            handed["tier 2"].append(_hours(ticket.resolved_at, handovers[-1].created_at))
        elif level == 1 and team_changes:
            handed["tier 1"].append(_hours(ticket.resolved_at, team_changes[-1].created_at))
    return result, handed


def measure(label: str = "tier") -> dict:
    """The held-out tickets of the history in the configured database (Django must be set up).

    label "tier": the escalation head learns what training teaches it (ended above tier 1); "any": any
    escalation, a change of team included (what it learned before; kept for comparison)."""
    from escalation.triage.training import fit, load_history
    from helpdesk.models import Status, Ticket

    history = load_history()
    # The same query as load_history, so row i of the history is ticket ids[i].
    ids = list(
        Ticket.objects.filter(status__in=(Status.RESOLVED, Status.CLOSED), team__isnull=False)
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)
    )
    n = len(history)
    assert len(ids) == n, "history and ticket ids are out of step"
    if label == "any":
        counts = dict(Ticket.objects.filter(pk__in=ids).values_list("pk", "escalation_count"))
        history.labels["escalation"] = [
            None if known is None else "escalated" if counts[ids[i]] or known == "escalated" else known
            for i, known in enumerate(history.labels["escalation"])
        ]
    cut = int(n * 0.8)
    older, newer = np.arange(cut), np.arange(cut, n)
    trained = fit(history, older, step=lambda name: None)
    head = trained.heads.get("escalation")
    if head is None:
        return {"skipped": trained.skipped}
    older_timing, handed = timings([ids[i] for i in older])
    ended = defaultdict(Counter)  # team -> tiers its escalated tickets ended at (older rows only)
    for i in older:
        if history.labels["escalation"][i] == "escalated":
            ended[history.labels["team"][i]][2 if older_timing[ids[i]].raised else 1] += 1
    end_tiers = {team: counts.most_common(1)[0][0] for team, counts in ended.items()}
    ratio = statistics.median(handed["tier 2"]) / statistics.median(handed["tier 1"])

    labelled = [i for i in newer if history.labels["escalation"][i] is not None]
    matrix = trained.embedding.transform([history.features[i] for i in labelled])
    probability = head.predict_proba(matrix)[:, list(head.classes_).index("escalated")]
    teams = trained.heads["team"].predict(matrix)
    newer_timing, _ = timings([ids[i] for i in labelled])
    rows = []
    for i, p, team in zip(labelled, probability, teams, strict=True):
        timing = newer_timing[ids[i]]
        rows.append(
            HeldOut(
                probability=float(p),
                higher_tier=end_tiers.get(team, 1) > 1,
                escalated=history.labels["escalation"][i] == "escalated",
                raised=timing.raised,
                hours=timing.hours,
                skipped_hours=skip_hours(timing, ratio),
            )
        )
    return {
        "tickets": n,
        "end_tiers": end_tiers,
        "handed_tier2": statistics.median(handed["tier 2"]),
        "handed_tier1": statistics.median(handed["tier 1"]),
        "ratio": ratio,
        "rows": [asdict(row) for row in rows],
    }


@dataclass(frozen=True)
class Line:
    threshold: float
    skipped: int
    precision: float
    recall: float
    raised: int
    over_escalation: float
    mean: float
    median: float
    skipped_mean_before: float
    skipped_mean_after: float


def lines(rows: list[HeldOut]) -> list[Line]:
    truth = np.array([r.escalated for r in rows])
    needed = np.array([r.raised for r in rows])
    actual = np.array([r.hours for r in rows])
    out = []
    for threshold in THRESHOLDS:
        skip = np.array([r.probability >= threshold and r.higher_tier for r in rows])
        estimated = np.where(skip, [r.skipped_hours for r in rows], actual)
        count = int(skip.sum())
        nan = float("nan")
        out.append(
            Line(
                threshold=threshold,
                skipped=count,
                precision=(skip & truth).sum() / count if count else nan,
                recall=(skip & truth).sum() / truth.sum(),
                raised=int((skip & needed).sum()),
                over_escalation=(skip & ~needed).sum() / count if count else nan,
                mean=float(estimated.mean()),
                median=float(np.median(estimated)),
                skipped_mean_before=float(actual[skip].mean()) if count else nan,
                skipped_mean_after=float(estimated[skip].mean()) if count else nan,
            )
        )
    return out


def default_threshold(table: list[Line], always_mean: float, always_median: float) -> float | None:
    """The lowest threshold whose skips over-escalate at most MAX_OVER_ESCALATION and that resolves
    no slower than "always tier 1" on mean and median (None: no threshold qualifies)."""
    for line in table:
        if (
            line.skipped
            and line.over_escalation <= MAX_OVER_ESCALATION
            and line.mean < always_mean
            and line.median <= always_median
        ):
            return line.threshold
    return None


def report(rows: list[HeldOut]) -> None:
    actual = np.array([r.hours for r in rows])
    print(
        f"held-out {len(rows)}: {sum(r.escalated for r in rows)} escalated, "
        f"{sum(r.raised for r in rows)} went above tier 1"
    )
    print(f"always tier 1: mean {actual.mean():.1f} h, median {np.median(actual):.1f} h")
    print("thr   skip  prec  recall  raised  over-esc  mean_h  median_h  skipped: mean before -> after")
    table = lines(rows)
    for line in table:
        print(
            f"{line.threshold:4.2f}  {line.skipped:4d}  {line.precision:4.2f}  {line.recall:6.3f}  "
            f"{line.raised:6d}  {line.over_escalation:8.1%}  {line.mean:6.1f}  {line.median:8.1f}  "
            f"{line.skipped_mean_before:6.1f} -> {line.skipped_mean_after:.1f}"
        )
    chosen = default_threshold(table, float(actual.mean()), float(np.median(actual)))
    print(
        f"rule (over-escalation <= {MAX_OVER_ESCALATION:.0%}, mean and median no slower): "
        + (f"lowest qualifying threshold {chosen:.2f}" if chosen is not None else "no threshold qualifies")
    )


def _setup() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def _seeded(seed: int, folder: str, label: str) -> dict:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{folder}/demo-{seed}.sqlite3"}
    for args in (["migrate", "-v0"], ["seed_demo", "--tickets", "2000", "--seed", str(seed)]):
        subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True
        )
    run = subprocess.run(
        [sys.executable, __file__, "--json", "--label", label],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(run.stdout)


def _summary(result: dict) -> str:
    return (
        f"{result['tickets']} resolved; end tiers {result['end_tiers']}; handed-over hours to resolution, "
        f"median: tier 2 {result['handed_tier2']:.1f}, tier 1 (after a team change) "
        f"{result['handed_tier1']:.1f}: tier-2 ratio {result['ratio']:.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--demo-seeds", type=int, nargs="*", help="seed fresh demo histories and pool them")
    parser.add_argument("--json", action="store_true", help="print the held-out rows as JSON")
    parser.add_argument(
        "--label",
        choices=("tier", "any"),
        default="tier",
        help="what the escalation head learns: ended above tier 1 (as trained), or any escalation (before)",
    )
    args = parser.parse_args()
    if args.demo_seeds:
        pooled = []
        with tempfile.TemporaryDirectory() as folder:
            for seed in args.demo_seeds:
                result = _seeded(seed, folder, args.label)
                rows = [HeldOut(**row) for row in result["rows"]]
                print(f"== seed {seed}: {_summary(result)}")
                report(rows)
                pooled += rows
        print(f"== pooled, seeds {args.demo_seeds}")
        report(pooled)
        return
    _setup()
    result = measure(args.label)
    if args.json:
        print(json.dumps(result))
    elif "rows" not in result:
        print("No escalation head: the history does not record escalations.", result["skipped"])
    else:
        from escalation.models import RoutingConfig

        live = RoutingConfig.objects.filter(pk=1).values_list("predictive_escalation", flat=True).first()
        print(f"{_summary(result)}; live threshold {live}")
        report([HeldOut(**row) for row in result["rows"]])


if __name__ == "__main__":
    main()
