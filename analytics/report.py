"""What a metrics function returns: headline numbers and named tables, each maybe drawn as a chart.

One shape serves the HTML page (charts + accessible tables), CSV export (one table) and the JSON API.
Values stay raw here: rates are fractions (0..1), durations are hours, times are datetimes.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    # text, int, rate, hours, number, money, datetime, date, ticket (an id linking to the ticket page)
    kind: str = "text"


@dataclass(frozen=True)
class Chart:
    """How to draw a table: `kind` picks the drawing in analytics.charts; the keys name columns."""

    kind: str  # bars, trend, columns, heatmap, flow
    label: str = ""  # the column that names each bar / row
    value: str = ""  # the column that sets the bar length / colour
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Table:
    key: str
    title: str
    columns: list[Column]
    rows: list[dict[str, Any]]
    description: str = ""
    chart: Chart | None = None
    show_table: bool = False  # the table is the point (many columns): shown open, not folded under the chart

    @property
    def wide(self) -> bool:
        """Takes the page's full width: open tables and the drawings that need room."""
        if self.chart is None:
            return len(self.columns) > 4
        return self.show_table or self.chart.kind in ("heatmap", "flow", "trend")

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)


@dataclass(frozen=True)
class Stat:
    key: str
    label: str
    value: Any
    kind: str = "int"
    detail: str = ""


@dataclass
class Report:
    page: str
    title: str
    stats: list[Stat] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    highlights: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def table(self, key: str) -> Table | None:
        return next((t for t in self.tables if t.key == key), None)

    def stat(self, key: str) -> Any:
        return next(s.value for s in self.stats if s.key == key)


def rate(numerator: int | None, denominator: int | None) -> float | None:
    """numerator / denominator, or None when there is nothing to divide by."""
    if not denominator:
        return None
    return (numerator or 0) / denominator


def hours(value: float | None) -> float | None:
    """Durations are reported in hours, rounded to 1/10000 h (0.36 s) so both databases agree exactly."""
    return None if value is None else round(value, 4)


def _hours_text(value: float) -> str:
    if value < 1:
        return f"{value * 60:.0f} min"
    if value < 48:
        return f"{value:.1f} h"
    return f"{value / 24:.1f} d"


def _number_text(value: float) -> str:
    """Three significant digits for ratios, averages and p-values (1.27, 0.463, 0.0012); from a thousand
    up, the whole number with separators (1,234, never 1.23e+03)."""
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.3g}"


FORMATS = {
    "rate": lambda v: f"{v * 100:.1f}%",
    "hours": _hours_text,
    "int": lambda v: f"{v:,}",
    "number": _number_text,
    "money": lambda v: f"{v:,.0f}",
    "date": lambda v: v.isoformat()[:10],
    "datetime": lambda v: timezone.localtime(v).strftime("%Y-%m-%d %H:%M"),
}


def display(value: Any, kind: str) -> str:
    """A value as people read it: 23.4%, 5.2 h, 1,234; a dash for nothing."""
    if value is None or value == "":
        return "—"
    return FORMATS.get(kind, str)(value)


def _json_value(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def report_as_json(report: Report, params: dict[str, str]) -> dict[str, Any]:
    return {
        "page": report.page,
        "title": report.title,
        "filters": params,
        "stats": {s.key: _json_value(s.value) for s in report.stats},
        "highlights": report.highlights,
        "tables": {
            t.key: {
                "title": t.title,
                "columns": [{"key": c.key, "label": c.label, "kind": c.kind} for c in t.columns],
                "rows": [{k: _json_value(v) for k, v in row.items()} for row in t.rows],
            }
            for t in report.tables
        },
    }


UNITS = {"hours": " (hours)", "rate": " (fraction)"}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _csv_value(value: Any) -> Any:
    """Raw value; text that a spreadsheet would run as a formula is quoted (customer-written subjects)."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return _json_value(value)


def table_as_csv(table: Table) -> str:
    """One table as CSV: a header row of labels (with units), then raw values."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([c.label + UNITS.get(c.kind, "") for c in table.columns])
    for row in table.rows:
        writer.writerow([_csv_value(row.get(c.key)) for c in table.columns])
    return out.getvalue()
