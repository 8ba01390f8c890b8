"""/analytics/what-if/: the form that picks policies and days, and a replay's result as a Report
(escalation.simulate does the replay; docs/simulate.md)."""

from __future__ import annotations

from typing import Any

from django import forms

from analytics.filters import DayRangeForm
from analytics.report import Column, Report, Stat, Table, rate
from escalation.models import DraftPolicy
from escalation.models.simulate import LIVE
from escalation.simulate.compare import COMPARED, Simulation, Summary

DEFAULT_DAYS = 7
PAGE_LIMIT = 100  # tickets replayed per page view (the command replays all): each is a full routing run
ERR_SAME = "Pick a different policy to compare with."


class WhatIfForm(DayRangeForm):
    """The policies to replay and the days; the view fills in the default days (with_default_dates)."""

    policy = forms.ChoiceField(label="Policy")
    compare = forms.ChoiceField(label="Compare with", required=False)
    field_order = ["policy", "compare", "since", "until"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        drafts = [(name, name) for name in DraftPolicy.objects.values_list("name", flat=True)]
        self.fields["policy"].choices = [(LIVE, "Live policy"), *drafts]
        self.fields["compare"].choices = [("", "—"), (LIVE, "Live policy"), *drafts]

    def clean(self):
        data = super().clean()
        if data.get("compare") and data.get("compare") == data.get("policy"):
            self.add_error("compare", ERR_SAME)
        return data

    def names(self) -> list[str]:
        data = self.cleaned_data
        return [data["policy"], *([data["compare"]] if data.get("compare") else [])]


def _label(name: str) -> str:
    return "Live policy" if name == LIVE else name


def _placements(summaries: list[Summary]) -> Table:
    """Where each policy places the tickets: one row per team, tier, priority and handling."""
    rows: list[dict[str, Any]] = []
    for aspect, title in (
        ("by_team", "Team"),
        ("by_tier", "Tier"),
        ("by_priority", "Priority"),
        ("by_autonomy", "Handling"),
    ):
        values = sorted({value for s in summaries for value in getattr(s, aspect)})
        for value in values:
            row = {"aspect": title, "value": value}
            for i, summary in enumerate(summaries):
                row[f"tickets_{i}"] = getattr(summary, aspect).get(value, 0)
            rows.append(row)
    return Table(
        key="placements",
        title="Where the tickets would go",
        description="Each replayed ticket's team, tier, priority and handling at its first routing.",
        columns=[
            Column("aspect", "Aspect"),
            Column("value", "Value"),
            *(Column(f"tickets_{i}", _label(s.policy), "int") for i, s in enumerate(summaries)),
        ],
        rows=rows,
        show_table=True,
    )


def _against_reality(summaries: list[Summary]) -> Table:
    measures = [
        ("Placed at the team and tier where the ticket ended", "placed_where_ended", "tickets"),
        ("Escalated in reality: placed at once where they ended", "escalations_spared", "escalated"),
        ("Never escalated: placed at another team or tier", "unescalated_moved", "unescalated"),
    ]
    rows = []
    for label, measure, base in measures:
        row: dict[str, Any] = {"measure": label}
        for i, s in enumerate(summaries):
            whole = {"tickets": s.tickets, "escalated": s.escalated, "unescalated": s.tickets - s.escalated}[
                base
            ]
            row[f"count_{i}"] = getattr(s, measure)
            row[f"share_{i}"] = rate(getattr(s, measure), whole)
        rows.append(row)
    columns = [Column("measure", "Measure")]
    for i, s in enumerate(summaries):
        columns += [Column(f"count_{i}", _label(s.policy), "int"), Column(f"share_{i}", "Share", "rate")]
    return Table(
        key="reality",
        title="Against where the tickets ended",
        description="Where a ticket ended = its team and tier now, after any escalations in reality.",
        columns=columns,
        rows=rows,
        show_table=True,
    )


def _rules(summaries: list[Summary]) -> Table:
    names = list(dict.fromkeys(name for s in summaries for name in s.rules_fired))
    return Table(
        key="rules",
        title="Rules fired",
        description="Tickets each escalation rule fired on.",
        columns=[
            Column("rule", "Rule"),
            *(Column(f"tickets_{i}", _label(s.policy), "int") for i, s in enumerate(summaries)),
        ],
        rows=[
            {"rule": name, **{f"tickets_{i}": s.rules_fired.get(name, 0) for i, s in enumerate(summaries)}}
            for name in names
        ],
        show_table=True,
    )


def _differences(result: Simulation) -> Table:
    difference = result.difference
    return Table(
        key="differences",
        title=f"Placed differently by {_label(difference.other)} than by {_label(difference.base)}",
        description=f"The first {len(difference.examples)} of {difference.changed['any']} tickets.",
        columns=[
            Column("ticket", "Ticket", "ticket"),
            Column("subject", "Subject"),
            *(Column(aspect, aspect.capitalize()) for aspect in COMPARED),
        ],
        rows=[
            {
                "ticket": example["ticket"],
                "subject": example["subject"],
                **{
                    aspect: f"{before} → {after}"
                    for aspect, (before, after) in ((a, example[a]) for a in COMPARED if a in example)
                },
            }
            for example in difference.examples
        ],
        show_table=True,
    )


def whatif_report(result: Simulation) -> Report:
    first = result.summaries[0]
    report = Report(page="what-if", title="What-if: routing replayed")
    report.stats = [
        Stat("tickets", "Tickets in the range", result.tickets),
        Stat("replayed", "Replayed", result.replayed),
        Stat(
            "placed_where_ended",
            f"Placed where they ended ({_label(first.policy)})",
            rate(first.placed_where_ended, first.tickets),
            "rate",
        ),
    ]
    if result.difference is not None:
        report.stats.append(Stat("changed", "Placed differently", result.difference.changed["any"]))
    if result.replayed < result.tickets:
        report.notes.append(
            f"The latest {result.replayed} of the range's {result.tickets} tickets were replayed; "
            "manage.py simulate_routing replays them all."
        )
    report.tables = [
        _placements(result.summaries),
        _against_reality(result.summaries),
        _rules(result.summaries),
    ]
    if result.difference is not None:
        report.tables.append(_differences(result))
    return report
