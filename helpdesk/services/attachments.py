"""Storing the files that come with a message, under size and type limits.

Checked before anything is written (`attachments_check`), stored inside the caller's transaction
(`attachments_store`): a rejected file never leaves half a message behind.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.utils.text import get_valid_filename

from helpdesk.models import Attachment, Message

ERR_TOO_MANY = "Attach at most {limit} files to one message."
ERR_TOO_LARGE = "“{name}” is {size} MB; files may be at most {limit} MB."
ERR_TYPE = "“{name}”: files of this type ({ext}) are not accepted. Accepted: {allowed}."
ERR_EMPTY = "“{name}” is empty."


@dataclass(frozen=True)
class IncomingFile:
    """A file from any channel: an upload (`File`) or the bytes of an e-mail part."""

    name: str
    content: File | bytes
    is_inline: bool = False
    content_id: str = ""

    @property
    def size(self) -> int:
        return len(self.content) if isinstance(self.content, bytes) else int(self.content.size or 0)


def clean_name(name: str) -> str:
    """A display name safe to show and to put in a Content-Disposition header."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in base if ch.isprintable() and ch not in '\r\n"')
    cleaned = get_valid_filename(base) if base.strip(" .") else ""
    return (cleaned or "attachment")[:200]


def extension(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def content_type_for(name: str) -> str:
    """Derived from the extension we accepted; the sender's claimed type is never used."""
    guessed, _ = mimetypes.guess_type(f"x.{extension(name)}")
    return guessed or "application/octet-stream"


def as_incoming(files: Iterable[File | IncomingFile]) -> list[IncomingFile]:
    return [f if isinstance(f, IncomingFile) else IncomingFile(name=f.name or "", content=f) for f in files]


def attachments_check(files: Sequence[IncomingFile], *, field: str = "attachments") -> None:
    """Raise a ValidationError naming every file that breaks a limit."""
    problems: list[str] = []
    if len(files) > settings.ATTACHMENT_MAX_PER_MESSAGE:
        problems.append(ERR_TOO_MANY.format(limit=settings.ATTACHMENT_MAX_PER_MESSAGE))
    allowed = sorted(settings.ATTACHMENT_EXTENSIONS)
    limit_mb = settings.ATTACHMENT_MAX_BYTES / (1024 * 1024)
    for f in files:
        name = clean_name(f.name)
        ext = extension(name)
        if ext not in allowed:
            problems.append(ERR_TYPE.format(name=name, ext=ext or "no extension", allowed=", ".join(allowed)))
        elif f.size > settings.ATTACHMENT_MAX_BYTES:
            problems.append(
                ERR_TOO_LARGE.format(name=name, size=f"{f.size / 1048576:.1f}", limit=f"{limit_mb:g}")
            )
        elif f.size == 0:
            problems.append(ERR_EMPTY.format(name=name))
    if problems:
        raise ValidationError({field: problems})


def attachments_store(
    *, message: Message, files: Sequence[IncomingFile], uploaded_by: AbstractBaseUser | None
) -> list[Attachment]:
    """Store already-checked files on the message. Call inside the transaction that saves the message."""
    stored = []
    for f in files:
        name = clean_name(f.name)
        content = ContentFile(f.content) if isinstance(f.content, bytes) else f.content
        attachment = Attachment(
            message=message,
            ticket_id=message.ticket_id,
            name=name,
            size=f.size,
            content_type=content_type_for(name),
            is_inline=f.is_inline,
            content_id=f.content_id[:255],
            uploaded_by=uploaded_by if uploaded_by is not None and uploaded_by.is_authenticated else None,
        )
        attachment.file.save(name, content, save=False)
        attachment.save()
        stored.append(attachment)
    return stored
