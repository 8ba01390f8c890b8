"""Training the triage models from the helpdesk's own resolved tickets (`manage.py train_router`).

1. History: resolved and closed tickets with a team, oldest first (optionally only from a date on).
2. Evaluation: the newest 20% are held out; the embedding and every head are fitted on the older 80%
   and scored on the held-out rows (escalation.triage.metrics). Time-based, because a model is always
   used on tickets newer than the ones it learned from.
3. Deployment: everything is fitted again on all rows, so the newest tickets count too, and the version
   is saved and activated in one transaction (escalation.triage.store).

Heads: team (always), category, priority and escalation (each only when the history labels enough rows:
an imported CSV without a priority column says nothing about priorities).
"""

from __future__ import annotations

import datetime as dt
import time
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from django.db.models import Q

from escalation.triage.features import TicketFeatures, embedding, head_classifier, text_layout, ticket_text
from escalation.triage.language import detect_language
from escalation.triage.metrics import evaluate
from helpdesk.models import Status, Ticket

HOLDOUT_SHARE = 0.2
MIN_ROWS_PER_CLASS = 3  # fewer cannot be both learned and calibrated; such classes are left out
MIN_ROWS = 20
REPEAT_WINDOW = dt.timedelta(days=30)
HEADS = ("team", "category", "priority", "escalation")


class NotEnoughHistory(Exception):
    """Nothing to learn from yet (the message says what is missing)."""


@dataclass
class History:
    features: list[TicketFeatures] = field(default_factory=list)
    labels: dict[str, list[str | None]] = field(default_factory=lambda: {head: [] for head in HEADS})
    end_tiers: dict[str, int] = field(default_factory=dict)  # team -> the tier its escalated tickets ended at
    languages: dict[str, float] = field(default_factory=dict)  # language -> its share of the rows

    def __len__(self) -> int:
        return len(self.features)


def _escalation_label(ticket: Ticket) -> str | None:
    """Did it need more than tier 1 (did it end above it)? Unknown for imports that did not say.

    A change of team at tier 1 is not counted: skipping tier 1 would not have helped it (the team head
    learns where a ticket belongs), and counting it sent tickets of often-misfiled categories to tier 2
    needlessly (docs/triage.md, predictive escalation)."""
    if ticket.metadata.get("escalation_known") is False:
        return None
    escalated = ticket.tier.level > 1 if ticket.tier is not None else ticket.escalation_count > 0
    return "escalated" if escalated else "not escalated"


def _priority_label(ticket: Ticket) -> str | None:
    return None if ticket.metadata.get("priority_known") is False else ticket.priority


def _language(ticket: Ticket, text: str) -> str:
    """The language a history row is written in: as recorded, or read from its text when an import did
    not say (such rows carry the site's language only as a stand-in)."""
    if ticket.metadata.get("language_known") is not False:
        return ticket.language
    detected = detect_language(text)
    return detected.code if detected else ticket.language


def load_history(since: dt.date | None = None) -> History:
    """The labelled rows, oldest first, with repeat contacts counted as they were when each ticket came."""
    tickets = (
        Ticket.objects.filter(status__in=(Status.RESOLVED, Status.CLOSED), team__isnull=False)
        .filter(Q(created_at__date__gte=since) if since else Q())
        .select_related("team", "category", "tier", "organization")
        .only(
            "subject",
            "body",
            "channel",
            "language",
            "priority",
            "metadata",
            "escalation_count",
            "created_at",
            "customer_id",
            "team__name",
            "category__name",
            "tier__level",
            "organization__segment",
            "organization__annual_contract_value",
            "organization__is_vip",
        )
        .order_by("created_at", "pk")
    )
    history, last_seen, end_tiers, languages = History(), defaultdict(list), defaultdict(Counter), Counter()
    for ticket in tickets.iterator(chunk_size=2000):
        repeats = 0
        if ticket.metadata.get("customer_known") is not False:  # not the importer's stand-in customer
            earlier = last_seen[ticket.customer_id]  # this customer's earlier tickets, oldest first
            repeats = len(earlier) - bisect_left(earlier, ticket.created_at - REPEAT_WINDOW)
            earlier.append(ticket.created_at)
        org = ticket.organization
        text = ticket_text(ticket.subject, ticket.body)
        languages[_language(ticket, text)] += 1
        history.features.append(
            TicketFeatures(
                text=text,
                channel=ticket.channel,
                segment=org.segment if org else "",
                contract_value=float(org.annual_contract_value) if org else 0.0,
                vip=bool(org and org.is_vip),
                repeat_contacts=repeats,
            )
        )
        escalation = _escalation_label(ticket)
        row = {
            "team": ticket.team.name,
            "category": ticket.category.name if ticket.category else None,
            "priority": _priority_label(ticket),
            "escalation": escalation,
        }
        for head, label in row.items():
            history.labels[head].append(label)
        if escalation == "escalated" and ticket.tier is not None:
            end_tiers[ticket.team.name][ticket.tier.level] += 1
    history.end_tiers = {team: counts.most_common(1)[0][0] for team, counts in end_tiers.items()}
    history.languages = {code: n / len(history) for code, n in languages.most_common()}
    return history


@dataclass(frozen=True)
class HeadData:
    rows: np.ndarray  # indexes into the history
    labels: np.ndarray
    left_out: dict[str, int]  # classes too rare to learn -> their row count


def head_data(labels: list[str | None], among: np.ndarray) -> HeadData | str:
    """The rows (of `among`) a head can learn from, or why it cannot learn at all."""
    known = [i for i in among if labels[i] is not None]
    counts = Counter(labels[i] for i in known)
    left_out = {label: n for label, n in counts.items() if n < MIN_ROWS_PER_CLASS}
    rows = np.array([i for i in known if labels[i] not in left_out], dtype=int)
    if len(counts) - len(left_out) < 2:
        return f"needs at least two labels with {MIN_ROWS_PER_CLASS}+ tickets each (has {dict(counts)})"
    if len(rows) < MIN_ROWS:
        return f"needs at least {MIN_ROWS} labelled tickets (has {len(rows)})"
    return HeadData(rows, np.array([labels[i] for i in rows], dtype=object), left_out)


@dataclass
class Trained:
    embedding: object
    heads: dict[str, object]
    skipped: dict[str, str]
    n_columns: int


Step = Callable[[str], None]


def fit(history: History, rows: np.ndarray, step: Step) -> Trained:
    """The embedding and every head that has enough labels among `rows`."""
    step("text features")
    vectorizer = embedding()
    matrix = vectorizer.fit_transform([history.features[i] for i in rows])
    layout = text_layout(vectorizer)
    position = {row: n for n, row in enumerate(rows)}
    heads, skipped = {}, {}
    for head in HEADS:
        step(f"{head} model")
        data = head_data(history.labels[head], rows)
        if isinstance(data, str):
            skipped[head] = data
            continue
        smallest = min(Counter(data.labels).values())
        heads[head] = head_classifier(head, len(data.rows), smallest, layout).fit(
            matrix[[position[i] for i in data.rows]], data.labels
        )
    return Trained(vectorizer, heads, skipped, matrix.shape[1])


def holdout_report(history: History, trained: Trained, rows: np.ndarray) -> dict:
    """Each head's metrics on the held-out rows it has labels for."""
    matrix = trained.embedding.transform([history.features[i] for i in rows])
    position = {row: n for n, row in enumerate(rows)}
    report = {head: {"skipped": reason} for head, reason in trained.skipped.items()}
    for head, model in trained.heads.items():
        labelled = [i for i in rows if history.labels[head][i] is not None]
        if not labelled:
            report[head] = {"unmeasured": "trained, but no held-out ticket carries this label"}
            continue
        probabilities = model.predict_proba(matrix[[position[i] for i in labelled]])
        truth = [history.labels[head][i] for i in labelled]
        report[head] = evaluate(truth, probabilities, list(model.classes_))
    return {head: report[head] for head in HEADS if head in report}


@dataclass(frozen=True)
class TrainingResult:
    trained: Trained
    report: dict
    rows: int
    holdout_rows: int
    seconds: float
    end_tiers: dict[str, int]
    languages: dict[str, float]


def _steps() -> list[str]:
    one_fit = ["text features", *(f"{head} model" for head in HEADS)]
    return [*one_fit, "held-out metrics", *one_fit]


STEPS = _steps()  # what `train` reports through `step`, in order (the command's progress bar counts them)


def train(history: History, *, step: Step = lambda name: None) -> TrainingResult:
    """Evaluate on the newest 20%, then fit on everything (see the module docstring)."""
    if len(history) < MIN_ROWS:
        raise NotEnoughHistory(
            f"Only {len(history)} resolved tickets with a team; at least {MIN_ROWS} are needed to train."
        )
    started = time.perf_counter()
    cut = int(round(len(history) * (1 - HOLDOUT_SHARE)))
    older, newer = np.arange(cut), np.arange(cut, len(history))
    evaluated = fit(history, older, step)
    step("held-out metrics")
    report = holdout_report(history, evaluated, newer)
    deployed = fit(history, np.arange(len(history)), step)
    for head, reason in deployed.skipped.items():
        report.setdefault(head, {"skipped": reason})
    return TrainingResult(
        deployed,
        report,
        len(history),
        len(newer),
        time.perf_counter() - started,
        dict(history.end_tiers),
        dict(history.languages),
    )
