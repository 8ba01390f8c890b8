"""Table cells and headline numbers, formatted by their column kind (analytics.report.display)."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.html import format_html

from analytics.report import Column, display

register = template.Library()


@register.simple_tag
def cell(row: dict[str, Any], column: Column) -> str:
    value = row.get(column.key)
    if column.kind == "ticket" and value is not None:
        return format_html('<a href="{}">#{}</a>', reverse("agent:ticket", args=[value]), value)
    return display(value, column.kind)


@register.filter
def shown(value: Any, kind: str) -> str:
    return display(value, kind)
