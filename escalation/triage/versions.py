"""Which trained triage version is active: read per process, changed by activating another one.

No scientific stack here: admin pages and signal receivers use this module in every process, while
only the processes that triage tickets load a model (escalation.triage.store).
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from escalation.models import TriageModelVersion
from escalation.process_cache import ProcessCache


def activate_version(version: TriageModelVersion) -> None:
    """Make this version the one every process uses (rollback is activating an older one)."""
    with transaction.atomic():
        TriageModelVersion.objects.filter(is_active=True).exclude(pk=version.pk).update(is_active=False)
        TriageModelVersion.objects.filter(pk=version.pk).update(is_active=True, activated_at=timezone.now())
    version.is_active = True
    forget_active_version()


def _load_active_pk() -> int | None:
    return TriageModelVersion.objects.filter(is_active=True).values_list("pk", flat=True).first()


# Which version is active is read at most every few seconds per process (escalation/process_cache.py);
# activating a version in this process takes effect at once.
_active_pk = ProcessCache(_load_active_pk)


def active_version_pk() -> int | None:
    """The active version's id (None on a fresh install: triage uses keywords)."""
    return _active_pk.get()


def forget_active_version(**kwargs) -> None:
    _active_pk.forget()
