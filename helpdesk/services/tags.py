"""Tags on tickets: short labels, created on first use, every change in the event log."""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction

from helpdesk.events import event_record
from helpdesk.models import Tag, Ticket

TAG_MAX = 50
MAX_TAGS = 20
TAG_PATTERN = re.compile(r"^[\w][\w .:/+-]*$", re.UNICODE)
ERR_TAG = "Tags are words, digits and - _ . : / + (at most {max} characters): {name!r} is not."
ERR_TOO_MANY_TAGS = f"A ticket carries at most {MAX_TAGS} tags."


def tag_names_clean(names: Iterable[str] | str) -> list[str]:
    """Lower-cased, trimmed, each once, in the given order; a comma-separated string works too."""
    if isinstance(names, str):
        names = names.split(",")
    cleaned: list[str] = []
    for raw in names:
        if not isinstance(raw, str):
            raise ValidationError({"tags": ["Give tags as a list of names."]})
        name = " ".join(raw.split()).lower()
        if not name:
            continue
        if len(name) > TAG_MAX or not TAG_PATTERN.match(name):
            raise ValidationError({"tags": [ERR_TAG.format(max=TAG_MAX, name=name[:60])]})
        if name not in cleaned:
            cleaned.append(name)
    if len(cleaned) > MAX_TAGS:
        raise ValidationError({"tags": [ERR_TOO_MANY_TAGS]})
    return cleaned


def _tags(names: list[str]) -> list[Tag]:
    existing = {t.name: t for t in Tag.objects.filter(name__in=names)}
    for name in names:
        if name not in existing:
            existing[name], _ = Tag.objects.get_or_create(name=name)
    return [existing[name] for name in names]


def ticket_set_tags(
    *, ticket: Ticket, names: Iterable[str] | str, actor: AbstractBaseUser | None, add_only: bool = False
) -> list[str]:
    """Give the ticket exactly these tags (or, with `add_only`, add them to its tags). Records one
    `ticket.tagged` event with what was added and removed; nothing when nothing changed."""
    wanted = tag_names_clean(names)
    with transaction.atomic():
        current = set(ticket.tags.values_list("name", flat=True))
        target = current | set(wanted) if add_only else set(wanted)
        if len(target) > MAX_TAGS:
            raise ValidationError({"tags": [ERR_TOO_MANY_TAGS]})
        added = [n for n in wanted if n not in current]
        removed = sorted(current - target)
        if not added and not removed:
            return sorted(current)
        if added:
            ticket.tags.add(*_tags(added))
        if removed:
            ticket.tags.remove(*Tag.objects.filter(name__in=removed))
        summary = ", ".join([f"+{n}" for n in added] + [f"−{n}" for n in removed])
        event_record(
            ticket=ticket,
            code="ticket.tagged",
            actor=actor,
            to_value=summary[:40],
            details={"added": added, "removed": removed},
        )
    return sorted(target)
