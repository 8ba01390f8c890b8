"""How report values read on the pages: each column kind formats its values the way people write them."""

from __future__ import annotations

import pytest

from analytics.report import display


@pytest.mark.parametrize(
    ("value", "kind", "shown"),
    [
        (0.4631, "number", "0.463"),
        (1.2345, "number", "1.23"),
        (0.00012, "number", "0.00012"),
        (43.6, "number", "43.6"),
        (1234.5, "number", "1,234"),
        (11500.0, "number", "11,500"),
        (32500.0, "money", "32,500"),
        (0.378, "rate", "37.8%"),
        (1234, "int", "1,234"),
        (None, "number", "—"),
    ],
)
def test_values_read_as_people_write_them(value, kind, shown):
    assert display(value, kind) == shown
