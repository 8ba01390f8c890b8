"""The SVG charts: accessible, escaped, no inline styles, one drawing per chart kind."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from analytics.charts import DRAWINGS, _axis_top, chart_svg
from analytics.report import Chart, Column, Table

NASTY = '<script>alert("x")</script>'


def table_for(kind: str) -> Table:
    columns = [
        Column("label", "Name"),
        Column("value", "Rate", "rate"),
        Column("count", "Count", "int"),
        Column("target", "To"),
        Column("hour", "Hour", "int"),
        Column("median", "Median", "hours"),
        Column("low", "Low", "number"),
        Column("high", "High", "number"),
        Column("path", "Path"),
        Column("re_escalation_rate", "Again", "rate"),
        Column("adjusted_p", "p", "number"),
    ]
    rows = [
        {
            "label": NASTY,
            "value": 0.5,
            "count": 4,
            "target": "B",
            "hour": 9,
            "median": 2.0,
            "low": 0.5,
            "high": 2.5,
            "path": "A → B",
            "re_escalation_rate": 0.0,
        },
        {
            "label": "Monday",
            "value": 0.25,
            "count": 2,
            "target": "C",
            "hour": 10,
            "median": None,
            "low": 0.1,
            "high": 1.5,
            "path": "A → C",
            "re_escalation_rate": 0.5,
        },
    ]
    extra = {
        "bars": {"count": "count"},
        "columns": {},
        "trend": {"volume": "count"},
        "heatmap": {"column": "hour", "second": "median"},
        "flow": {"target": "target", "limit": 12},
        "interval": {"low": "low", "high": "high", "flag": "flag"},
    }[kind]
    if kind == "trend":
        rows = [{**row, "label": dt.date(2025, 3, 3 + 7 * i)} for i, row in enumerate(rows)]
    return Table(
        key=f"t_{kind}",
        title="A chart",
        columns=columns,
        rows=rows,
        description="Described.",
        chart=Chart(kind, "label", "value", extra),
    )


@pytest.mark.parametrize("kind", list(DRAWINGS))
def test_each_chart_is_an_accessible_svg_without_inline_styles(kind):
    svg = str(chart_svg(table_for(kind)))
    assert svg.count("<svg") >= 1 and 'role="img"' in svg
    assert re.search(r'<title id="chart-t_[a-z]+(-\d)?-t">A chart', svg) and "<desc" in svg
    assert "style=" not in svg
    assert "<script>" not in svg  # labels are escaped, never markup


def test_bars_are_as_long_as_their_share_of_the_largest_value():
    svg = str(chart_svg(table_for("bars")))
    widths = [float(w) for w in re.findall(r'<rect x="260" y="[^"]+" width="([^"]+)"', svg)]
    assert len(widths) == 2 and widths[0] == pytest.approx(2 * widths[1], abs=0.02)
    assert "50.0%" in svg and "25.0%" in svg


def test_columns_label_their_values_as_the_column_reads_and_only_where_they_fit():
    labels = re.findall(r'class="chart-value"[^>]*>([^<]*)<', str(chart_svg(table_for("columns"))))
    assert labels == ["50.0%", "25.0%"]
    month = table_for("columns")
    month.rows = [{"label": str(day), "value": 1 / 3} for day in range(1, 32)]  # a day-of-month table
    assert (
        re.findall(r'class="chart-value"[^>]*>([^<]*)<', str(chart_svg(month))) == []
    )  # 31 columns are too narrow: the tooltip and the table carry the values
    assert "Rate: 33.3%" in str(chart_svg(month))


def test_tables_without_rows_or_chart_draw_nothing():
    empty = table_for("bars")
    empty.rows = []
    assert chart_svg(empty) is None
    plain = table_for("bars")
    plain.chart = None
    assert chart_svg(plain) is None


def test_value_axes_read_in_round_steps():
    assert _axis_top(0.398) == pytest.approx(0.4)  # 0, 10, 20, 30, 40 %, not 0, 19.9, 39.8 %
    assert _axis_top(0.5) == pytest.approx(0.6)
    assert _axis_top(9, whole=True) == 12  # counts step in whole numbers
    assert _axis_top(1234, whole=True) == 1600
    assert _axis_top(0) == 1.0 and _axis_top(0, whole=True) == 4


def test_trends_have_a_rate_axis_on_the_left_and_a_volume_axis_on_the_right():
    svg = str(chart_svg(table_for("trend")))  # rates 50 % and 25 %, on 4 and 2 tickets
    axis = re.findall(r'class="chart-axis" text-anchor="(start|end)">([^<]*)<', svg)
    assert [text for side, text in axis if side == "end"] == ["0.0%", "15.0%", "30.0%", "45.0%", "60.0%"]
    assert [text for side, text in axis if side == "start"] == ["0", "2", "4", "6", "8"]
    assert "Count (right axis)" in svg


def test_columns_have_a_value_axis_even_when_too_narrow_for_labels():
    month = table_for("columns")
    month.columns = [Column("label", "Day"), Column("value", "Tickets", "int")]
    month.rows = [{"label": str(day), "value": 30 + day} for day in range(1, 32)]
    axis = re.findall(r'class="chart-axis"[^>]*>([^<]*)<', str(chart_svg(month)))
    assert axis == ["0", "20", "40", "60", "80"]  # the largest column, 61, is read against round steps
