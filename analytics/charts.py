"""Server-side SVG charts: no JavaScript, no CDN, nothing the strict CSP would block.

Each chart draws one report table (the table itself is rendered next to it as the accessible
alternative). Colours are SVG presentation attributes and text styles are CSS classes in
static/css/analytics.css: no inline style attributes. Every mark has a <title>, which browsers show
as a tooltip and screen readers read.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from analytics.report import Table, display

WIDTH = 720
ACCENT = "#3453d1"
SOFT = "#c9d3f6"
DANGER = "#b42318"
MUTED = "#8a93a6"
GRID = "#e3e7ee"
MAX_BARS = 30
MIN_LABELLED_SLOT = 40  # px: a value such as "37.8%" fits above a column this wide
AXIS_STEPS = 4  # gridlines above the baseline of a value axis
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


class Svg:
    """Collects SVG elements; attribute values are escaped, text content too."""

    def __init__(self, width: float, height: float, title: str, description: str, ident: str):
        self.width, self.height, self.parts = width, height, []
        self.title, self.description, self.ident = title, description, ident

    def add(self, tag: str, content: str = "", tip: str = "", **attrs: Any) -> None:
        rendered = " ".join(
            f'{name.rstrip("_").replace("_", "-")}="{escape(_number(value))}"'
            for name, value in attrs.items()
            if value is not None
        )
        inner = (f"<title>{escape(tip)}</title>" if tip else "") + escape(content)
        self.parts.append(f"<{tag} {rendered}>{inner}</{tag}>")

    def text(self, x: float, y: float, content: str, css: str = "chart-label", anchor: str = "start") -> None:
        self.add("text", content, x=x, y=y, class_=css, text_anchor=anchor)

    def render(self) -> SafeString:
        head = (
            f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="100%" '
            f'viewBox="0 0 {_number(self.width)} {_number(self.height)}" '
            f'aria-labelledby="{self.ident}-t {self.ident}-d">'
            f'<title id="{self.ident}-t">{escape(self.title)}</title>'
            f'<desc id="{self.ident}-d">{escape(self.description)}</desc>'
        )
        return mark_safe(head + "".join(self.parts) + "</svg>")  # noqa: S308 - every part is escaped above


def _number(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".")
    return str(value)


def _values(table: Table, key: str) -> list[float]:
    return [float(row.get(key) or 0) for row in table.rows]


def _scale(table: Table, values: list[float]) -> float:
    """The value a full-length bar stands for. Rates share one 0-100 % scale, so two charts (or two bars)
    that are compared read alike: 28.5 % and 28.3 % are bars of nearly the same, partial length, not two
    full ones. A table may name its own shared maximum (chart extra "scale_max")."""
    fixed = table.chart.extra.get("scale_max") if table.chart else None
    if fixed:
        return max(float(fixed), max(values, default=0))
    if table.column(table.chart.value).kind == "rate":
        return max(1.0, max(values, default=0))
    return max(values, default=0) or 1


def _axis_top(peak: float, *, whole: bool = False) -> float:
    """The smallest round number at or above `peak` that splits into AXIS_STEPS round steps (1, 1.5, 2,
    2.5, 3, 4, 5, 6 or 8 x 10^k; whole numbers for counts), so an axis reads 0, 10, 20, 30, 40 % rather than
    0, 19.9, 39.8 %."""
    raw = max(peak, 0) / AXIS_STEPS
    if raw <= 0:
        return float(AXIS_STEPS) if whole else 1.0
    if whole and raw <= 10:
        return float(AXIS_STEPS * math.ceil(raw))
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(
        f * magnitude for f in (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10) if f * magnitude >= raw * (1 - 1e-9)
    )
    return AXIS_STEPS * step


def _levels(top: float, height: float) -> list[tuple[float, float]]:
    """(share of the axis, y) of each gridline, from the baseline up."""
    return [(step / AXIS_STEPS, top + height * (1 - step / AXIS_STEPS)) for step in range(AXIS_STEPS + 1)]


def _axis(svg: Svg, x: float, top: float, height: float, scale: float, kind: str, anchor: str) -> None:
    """Round values along a vertical axis at the gridlines (the gridlines are drawn once, by the caller)."""
    for share, y in _levels(top, height):
        value = scale * share
        svg.text(x, y + 4, display(round(value) if kind == "int" else value, kind), "chart-axis", anchor)


def _gridlines(svg: Svg, left: float, right: float, top: float, height: float) -> None:
    for share, y in _levels(top, height):
        svg.add("line", x1=left, y1=y, x2=right, y2=y, stroke=MUTED if share == 0 else GRID)


def _tip(table: Table, row: dict[str, Any], *keys: str) -> str:
    return "; ".join(
        f"{table.column(k).label}: {display(row.get(k), table.column(k).kind)}" for k in keys if k
    )


def bars(table: Table, ident: str) -> SafeString:
    """Horizontal bars, one per row: label on the left, value at the end of the bar."""
    spec = table.chart
    rows = table.rows[:MAX_BARS]
    label_width, bar_height, gap = 260, 20, 8
    height = len(rows) * (bar_height + gap) + 10
    svg = Svg(WIDTH, height, table.title, _summary(table, len(rows)), ident)
    kind = table.column(spec.value).kind
    peak = _scale(table, _values(table, spec.value)[: len(rows)])
    span = WIDTH - label_width - 130
    count = spec.extra.get("count", "")
    for i, row in enumerate(rows):
        y = 5 + i * (bar_height + gap)
        value = float(row.get(spec.value) or 0)
        svg.text(label_width - 8, y + 14, _short(str(row.get(spec.label) or "—"), 40), anchor="end")
        svg.add(
            "rect",
            tip=_tip(table, row, spec.label, spec.value, count),
            x=label_width,
            y=y,
            width=max(value / peak * span, 1),
            height=bar_height,
            fill=DANGER if _flagged(spec, row) else ACCENT,
            rx=3,
        )
        text = display(row.get(spec.value), kind) + (f"  n={display(row.get(count), 'int')}" if count else "")
        svg.text(label_width + value / peak * span + 6, y + 14, text, "chart-value")
    return svg.render()


def columns(table: Table, ident: str) -> SafeString:
    """Vertical columns (a histogram when the rows are buckets in order)."""
    spec = table.chart
    height, top, bottom, left = 240, 20, 40, 52
    values = _values(table, spec.value)
    kind = table.column(spec.value).kind
    peak = _axis_top(_scale(table, values), whole=kind == "int")
    slot = (WIDTH - left - 10) / max(len(table.rows), 1)
    svg = Svg(WIDTH, height, table.title, _summary(table, len(table.rows)), ident)
    plot = height - top - bottom
    _gridlines(svg, left, WIDTH - 10, top, plot)
    _axis(svg, left - 6, top, plot, peak, kind, "end")
    for i, (row, value) in enumerate(zip(table.rows, values, strict=True)):
        x, h = left + i * slot + slot * 0.1, value / peak * plot
        tip = _tip(table, row, spec.label, spec.value)
        svg.add(
            "rect",
            tip=tip,
            x=x,
            y=height - bottom - h,
            width=slot * 0.8,
            height=max(h, 0.5),
            fill=ACCENT,
            rx=2,
        )
        if slot >= MIN_LABELLED_SLOT:  # narrower columns keep their value in the tooltip and the table
            svg.text(
                x + slot * 0.4,
                height - bottom - h - 5,
                display(row.get(spec.value), kind),
                "chart-value",
                "middle",
            )
        svg.text(x + slot * 0.4, height - bottom + 16, str(row.get(spec.label)), anchor="middle")
    return svg.render()


def trend(table: Table, ident: str) -> SafeString:
    """A line for a rate over time, over light columns showing the volume behind each point."""
    spec = table.chart
    height, top, bottom, left, right = 260, 20, 40, 52, 52
    plot_w, plot_h = WIDTH - left - right, height - top - bottom
    rates = [row.get(spec.value) for row in table.rows]
    volume_key = spec.extra.get("volume", spec.value)
    volumes = _values(table, volume_key)
    peak_rate = _axis_top(max((r for r in rates if r is not None), default=0))
    # The columns keep to the lower part of the plot (their axis reaches well above the largest), so the
    # line stays readable over them; each has its own axis: the rate on the left, the volume on the right.
    peak_volume = _axis_top(max(volumes, default=0) / 0.6, whole=True)
    slot = plot_w / max(len(table.rows), 1)
    svg = Svg(WIDTH, height, table.title, _summary(table, len(table.rows)), ident)
    _gridlines(svg, left, WIDTH - right, top, plot_h)
    _axis(svg, left - 6, top, plot_h, peak_rate, table.column(spec.value).kind, "end")
    _axis(svg, WIDTH - right + 6, top, plot_h, peak_volume, "int", "start")
    points = []
    every = max(1, math.ceil(len(table.rows) / 12))
    for i, row in enumerate(table.rows):
        x = left + i * slot + slot / 2
        h = volumes[i] / peak_volume * plot_h
        tip = _tip(table, row, spec.label, spec.extra.get("volume", ""), spec.value)
        svg.add("rect", tip=tip, x=x - slot * 0.35, y=top + plot_h - h, width=slot * 0.7, height=h, fill=SOFT)
        if rates[i] is not None:
            points.append((x, top + plot_h * (1 - rates[i] / peak_rate), tip))
        if i % every == 0:
            svg.text(x, height - bottom + 16, display(row.get(spec.label), "date")[5:], anchor="middle")
    if points:
        path = " ".join(
            f"{'M' if i == 0 else 'L'}{_number(x)},{_number(y)}" for i, (x, y, _) in enumerate(points)
        )
        svg.add("path", d=path, fill="none", stroke=ACCENT, stroke_width=2.5)
        for x, y, tip in points:
            svg.add("circle", tip=tip, cx=x, cy=y, r=4, fill=ACCENT)
    note = f"Line: {table.column(spec.value).label} (left axis). Columns: {table.column(volume_key).label} (right axis)."
    svg.text(left, height - 6, note, "chart-note")
    return svg.render()


def heatmap(table: Table, ident: str) -> SafeString:
    """Weekday x hour grids: how many escalations, and (second grid) their median hours to resolution."""
    spec = table.chart
    grids = [(spec.value, ACCENT), (spec.extra["second"], DANGER)]
    return mark_safe(
        "".join(_grid(table, f"{ident}-{n}", key, colour) for n, (key, colour) in enumerate(grids))
    )  # noqa: S308


def _grid(table: Table, ident: str, key: str, colour: str) -> str:
    spec = table.chart
    left, top, cell = 44, 22, 26
    column_key = spec.extra["column"]
    cells = {(row[spec.label], row[column_key]): row for row in table.rows}
    peak = max((float(row.get(key) or 0) for row in table.rows), default=0) or 1
    label = table.column(key).label
    svg = Svg(
        left + 24 * cell + 10,
        top + 7 * cell + 10,
        f"{table.title}: {label}",
        f"{label} by weekday and hour.",
        ident,
    )
    for hour in range(0, 24, 3):
        svg.text(left + hour * cell + cell / 2, top - 8, f"{hour:02d}", anchor="middle")
    for d, day in enumerate(WEEKDAYS):
        svg.text(left - 6, top + d * cell + cell * 0.65, day[:3], anchor="end")
        for hour in range(24):
            row = cells.get((day, hour))
            value = float(row.get(key) or 0) if row else 0
            tip = (
                _tip(table, row, spec.label, column_key, spec.value, key)
                if row
                else f"{day} {hour:02d}h: none"
            )
            svg.add(
                "rect",
                tip=tip,
                x=left + hour * cell,
                y=top + d * cell,
                width=cell - 2,
                height=cell - 2,
                fill=colour if value else "#f0f2f6",
                fill_opacity=0.12 + 0.88 * value / peak if value else 1,
                rx=3,
            )
    return f'<figure class="chart-figure"><figcaption>{escape(label)}</figcaption>{svg.render()}</figure>'


def flow(table: Table, ident: str) -> SafeString:
    """Sankey-like: sources on the left, destinations on the right, bands as wide as the counts."""
    spec = table.chart
    rows = table.rows[: spec.extra.get("limit", 12)]
    target_key = spec.extra["target"]
    total = sum(float(r[spec.value]) for r in rows) or 1
    sources = list(dict.fromkeys(r[spec.label] for r in rows))
    targets = list(dict.fromkeys(r[target_key] for r in rows))
    height = max(len(sources), len(targets)) * 16 + 300
    gap, node_w, left_x, right_x = 10, 14, 190, WIDTH - 190
    scale = (height - 20 - gap * max(len(sources), len(targets))) / total
    svg = Svg(WIDTH, height, table.title, _summary(table, len(rows)), ident)

    def layout(names: list[str], key: str) -> dict[str, list[float]]:
        positions, y = {}, 10.0
        for name in names:
            size = sum(float(r[spec.value]) for r in rows if r[key] == name) * scale
            positions[name] = [y, y]  # top, running offset for the next band
            y += size + gap
        return positions

    left, right = layout(sources, spec.label), layout(targets, target_key)
    for row in rows:
        size = float(row[spec.value]) * scale
        y0, y1 = left[row[spec.label]][1], right[row[target_key]][1]
        left[row[spec.label]][1] += size
        right[row[target_key]][1] += size
        a, b = left_x + node_w, right_x
        mid = (a + b) / 2
        d = (
            f"M{_number(a)},{_number(y0)} C{_number(mid)},{_number(y0)} {_number(mid)},{_number(y1)} "
            f"{_number(b)},{_number(y1)} L{_number(b)},{_number(y1 + size)} C{_number(mid)},{_number(y1 + size)} "
            f"{_number(mid)},{_number(y0 + size)} {_number(a)},{_number(y0 + size)} Z"
        )
        svg.add(
            "path",
            tip=_tip(table, row, "path", spec.value, "re_escalation_rate"),
            d=d,
            fill=ACCENT,
            fill_opacity=0.28,
        )
    for names, positions, x, anchor, dx in (
        (sources, left, left_x, "end", -6),
        (targets, right, right_x, "start", node_w + 6),
    ):
        for name in names:
            top, bottom = positions[name]
            svg.add("rect", tip=name, x=x, y=top, width=node_w, height=max(bottom - top, 1), fill=ACCENT)
            svg.text(x + dx, (top + bottom) / 2 + 4, name, anchor=anchor)
    return svg.render()


def interval(table: Table, ident: str) -> SafeString:
    """Ratios with confidence intervals around a reference line at 1 (a forest plot)."""
    spec = table.chart
    rows = [r for r in table.rows if r.get(spec.value) is not None][:MAX_BARS]
    label_width, row_h = 200, 22
    height = len(rows) * row_h + 40
    low_key, high_key = spec.extra["low"], spec.extra["high"]
    peak = min(4.0, max([float(r.get(high_key) or 0) for r in rows] + [2.0]))
    span = WIDTH - label_width - 30

    def x_of(value: float) -> float:
        return label_width + min(value, peak) / peak * span

    svg = Svg(WIDTH, height, table.title, _summary(table, len(rows)), ident)
    for tick in range(int(peak) + 1):
        svg.add(
            "line",
            x1=x_of(tick),
            y1=4,
            x2=x_of(tick),
            y2=height - 26,
            stroke=MUTED if tick == 1 else GRID,
            stroke_dasharray="4 3",
        )
        svg.text(
            x_of(tick), height - 12, f"{tick}×" + (" = as peers" if tick == 1 else ""), "chart-note", "middle"
        )
    for i, row in enumerate(rows):
        y = 12 + i * row_h
        colour = DANGER if _flagged(spec, row) else ACCENT
        svg.text(label_width - 8, y + 4, _short(str(row.get(spec.label)), 30), anchor="end")
        tip = _tip(table, row, spec.label, spec.value, low_key, high_key, "adjusted_p")
        svg.add(
            "line",
            x1=x_of(float(row.get(low_key) or 0)),
            y1=y,
            x2=x_of(float(row.get(high_key) or 0)),
            y2=y,
            stroke=colour,
            stroke_width=2,
        )
        svg.add("circle", tip=tip, cx=x_of(float(row[spec.value])), cy=y, r=5, fill=colour)
    return svg.render()


def _flagged(spec, row: dict[str, Any]) -> bool:
    """Rows the chart marks in red: extra={"flag": column, "flag_value": value} (default "yes")."""
    return bool(spec.extra.get("flag")) and row.get(spec.extra["flag"]) == spec.extra.get("flag_value", "yes")


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _summary(table: Table, shown: int) -> str:
    more = f" (the first {shown} of {len(table.rows)})" if shown < len(table.rows) else ""
    return f"{table.description} The table below has the same numbers{more}.".strip()


DRAWINGS: dict[str, Callable[[Table, str], SafeString]] = {
    "bars": bars,
    "columns": columns,
    "trend": trend,
    "heatmap": heatmap,
    "flow": flow,
    "interval": interval,
}


def chart_svg(table: Table) -> SafeString | None:
    """The table's chart as inline SVG, or None when it has no chart or nothing to draw."""
    if table.chart is None or not table.rows:
        return None
    return DRAWINGS[table.chart.kind](table, f"chart-{table.key}")
