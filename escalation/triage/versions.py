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


_generation = 0


def versions_generation() -> int:
    """Moves on whenever a version is saved or deleted in this process (a loaded model is then stale)."""
    return _generation


def forget_active_version(**kwargs) -> None:
    """A version was saved or deleted in this process: look the active one up again, and let the
    processes' loaded model be read again (escalation.triage.store)."""
    global _generation
    _active_pk.forget()
    _generation += 1
