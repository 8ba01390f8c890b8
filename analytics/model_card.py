"""The model card (/analytics/model/): what the triage model is, how well it did on held-out tickets,
how sure it is versus how often it is right, where it confuses teams, and what automation did with it.

`model_card(version_id)` gathers it as plain values; the view only renders them.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from escalation.autonomy.report import AutonomyReport, recent_autonomy_report
from escalation.models import TriageModelVersion

HEAD_TITLES = {"team": "Team", "category": "Category", "priority": "Priority", "escalation": "Escalation"}
PLOT = 240  # reliability diagram side, in SVG units
CELL = 34  # confusion matrix cell side


@dataclass(frozen=True)
class HeadCard:
    name: str
    title: str
    report: dict

    @property
    def trained(self) -> bool:
        return "skipped" not in self.report

    @property
    def measured(self) -> bool:
        return "accuracy" in self.report

    @property
    def calibration_svg(self) -> SafeString:
        return reliability_svg(self.report.get("calibration", []), self.title)

    @property
    def confusion_svg(self) -> SafeString:
        return confusion_svg(self.report.get("confusion", {}), self.title)


@dataclass(frozen=True)
class ModelCard:
    version: TriageModelVersion | None
    versions: list[TriageModelVersion]
    heads: list[HeadCard]
    autonomy: AutonomyReport


def model_card(version_id: int | None = None) -> ModelCard:
    versions = list(TriageModelVersion.objects.defer("artifact")[:20])
    shown = next((v for v in versions if v.pk == version_id), None) if version_id else None
    shown = shown or next((v for v in versions if v.is_active), None)
    heads = [
        HeadCard(name, HEAD_TITLES.get(name, name.title()), report)
        for name, report in (shown.metrics.items() if shown else [])
    ]
    return ModelCard(shown, versions, heads, recent_autonomy_report())


def reliability_svg(bands: list[dict], title: str) -> SafeString:
    """Confidence (x) against accuracy (y) per band; on the diagonal means "90% sure" is right 90% of the time.
    Under each band: its share of the predictions, so a lone wrong guess in a rare band reads as rare."""
    if not bands:
        return mark_safe("")
    pad, side = 40, PLOT
    total = sum(b["count"] for b in bands) or 1

    def x(value: float) -> float:
        return pad + value * side

    def y(value: float) -> float:
        return pad + (1 - value) * side

    bars = format_html_join(
        "",
        '<rect x="{}" y="{}" width="{}" height="{}" class="bar"><title>{}–{}: {} predictions, '
        "{} confident, {} right</title></rect>",
        (
            (
                f"{x(b['low']) + 1:.1f}",
                f"{y(b['accuracy']):.1f}",
                f"{(b['high'] - b['low']) * side - 2:.1f}",
                f"{b['accuracy'] * side:.1f}",
                b["low"],
                b["high"],
                b["count"],
                f"{b['confidence']:.0%}",
                f"{b['accuracy']:.0%}",
            )
            for b in bands
        ),
    )
    points = " ".join(f"{x(b['confidence']):.1f},{y(b['accuracy']):.1f}" for b in bands)
    ticks = format_html_join(
        "",
        '<text x="{}" y="{}" class="tick" text-anchor="middle">{}</text>'
        '<text x="{}" y="{}" class="tick" text-anchor="end">{}</text>',
        (
            (
                f"{x(v):.1f}",
                f"{pad + side + 14:.1f}",
                f"{v:.0%}",
                f"{pad - 5:.1f}",
                f"{y(v) + 3:.1f}",
                f"{v:.0%}",
            )
            for v in (0, 0.25, 0.5, 0.75, 1)
        ),
    )
    share = format_html_join(
        "",
        '<text x="{}" y="{}" class="tick" text-anchor="middle">{}</text>',
        (
            (f"{x((b['low'] + b['high']) / 2):.1f}", f"{pad + side + 44:.1f}", f"{b['count'] / total:.0%}")
            for b in bands
        ),
    )
    return format_html(
        '<svg class="chart reliability" viewBox="0 0 {w} {h}" role="img" aria-label="Calibration of the {t} model">'
        '<rect x="{p}" y="{p}" width="{s}" height="{s}" class="frame"/>'
        '<line x1="{p}" y1="{e}" x2="{e}" y2="{p}" class="diagonal"/>{bars}'
        '<polyline points="{points}" class="line"/>{ticks}'
        '<text x="{p}" y="{lx}" class="axis">confidence →</text>'
        '<text x="4" y="{ls}" class="axis">share</text>{share}'
        '<text x="4" y="{p2}" class="axis">right ↑</text></svg>',
        w=pad * 2 + side,
        h=pad * 2 + side + 24,
        t=title,
        p=pad,
        s=side,
        e=pad + side,
        bars=bars,
        points=points,
        ticks=ticks,
        share=share,
        lx=pad + side + 28,
        ls=pad + side + 44,
        p2=pad - 12,
    )


def confusion_svg(confusion: dict, title: str) -> SafeString:
    """Rows: the true label; columns: the predicted one; darker = more tickets."""
    labels, matrix = confusion.get("labels", []), confusion.get("matrix", [])
    if not labels:
        return mark_safe("")
    left, top = 170, 80
    peak = max((max(row) for row in matrix), default=0) or 1
    cells = format_html_join(
        "",
        '<rect x="{}" y="{}" width="{}" height="{}" class="cell{}" fill-opacity="{}">'
        "<title>{} predicted as {}: {}</title></rect>"
        '<text x="{}" y="{}" class="count">{}</text>',
        (
            (
                left + j * CELL,
                top + i * CELL,
                CELL - 2,
                CELL - 2,
                " diagonal" if i == j else "",
                f"{0.08 + 0.92 * value / peak:.2f}",
                labels[i],
                labels[j],
                value,
                left + j * CELL + CELL / 2 - 1,
                top + i * CELL + CELL / 2 + 4,
                value or "",
            )
            for i, row in enumerate(matrix)
            for j, value in enumerate(row)
        ),
    )
    names = format_html_join(
        "",
        '<text x="{}" y="{}" class="label">{}</text>',
        ((left - 6, top + i * CELL + CELL / 2 + 4, label[:24]) for i, label in enumerate(labels)),
    )
    # The predicted labels head their columns, slanted so long names fit above narrow cells.
    heads = format_html_join(
        "",
        '<text x="{}" y="{}" class="head" transform="rotate(-40 {} {})">{}</text>',
        (
            (x, top - 6, x, top - 6, label[:18])
            for x, label in ((left + j * CELL + CELL / 2, label) for j, label in enumerate(labels))
        ),
    )
    size = len(labels) * CELL
    return format_html(
        '<svg class="chart confusion" viewBox="0 0 {w} {h}" role="img" aria-label="Confusion matrix of the {t} model">'
        '{names}{heads}{cells}<text x="{left}" y="{bottom}" class="axis">rows: true label · columns: predicted'
        "</text></svg>",
        w=left + size + 80,  # room for the last slanted heading and the caption
        h=top + size + 30,
        t=title,
        names=names,
        heads=heads,
        cells=cells,
        left=left,
        bottom=top + size + 20,
    )
