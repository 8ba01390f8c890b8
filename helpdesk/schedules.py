"""The background schedules (settings.SCHEDULES, the one place they are defined), kept in the database.

`ensure_schedules` runs after every `migrate` (post_migrate, so also after `manage.py start` migrates,
and after a test flush): it creates a schedule that is missing, and leaves existing ones (and an
admin's edits to them) alone.
"""

from __future__ import annotations

from django.conf import settings
from django_q.models import Schedule


def ensure_schedules(**kwargs) -> None:
    for name, fields in settings.SCHEDULES.items():
        Schedule.objects.get_or_create(name=name, defaults={"repeats": -1, **fields})
