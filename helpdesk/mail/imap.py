"""Reading mailboxes over IMAP: every unseen e-mail goes through `email_ingest`, then is marked seen.

An e-mail that fails is kept (InboundEmail, outcome failed) and marked seen, so one bad message does
not block the mailbox; the same e-mail read twice (two workers, a crash before the flag) makes one
message. One reader per mailbox at a time (a lock in the cache, which all processes share).
"""

from __future__ import annotations

import contextlib
import imaplib
import logging
from dataclasses import dataclass, field

from django.core.cache import cache
from django.utils import timezone

from helpdesk.mail.ingest import email_ingest
from helpdesk.models import Mailbox

logger = logging.getLogger(__name__)

LOCK_SECONDS = 300
BATCH = 500  # e-mails per mailbox per pass; the next pass takes the rest
TIMEOUT = 30


@dataclass
class FetchReport:
    mailbox: str
    fetched: int = 0
    created: int = 0
    threaded: int = 0
    ignored: int = 0
    failed: int = 0
    error: str = ""
    results: list = field(default_factory=list)


def _connect(mailbox: Mailbox) -> imaplib.IMAP4:
    cls = imaplib.IMAP4_SSL if mailbox.imap_ssl else imaplib.IMAP4
    connection = cls(mailbox.imap_host, mailbox.imap_port, timeout=TIMEOUT)
    connection.login(mailbox.imap_username, mailbox.imap_password)
    return connection


def mailbox_fetch(mailbox: Mailbox, *, limit: int = BATCH) -> FetchReport:
    """One pass over one mailbox's unseen e-mails."""
    report = FetchReport(mailbox=mailbox.name)
    lock = f"mail:fetch:{mailbox.pk}"
    if not cache.add(lock, 1, LOCK_SECONDS):
        report.error = "another worker is reading this mailbox"
        return report
    try:
        connection = _connect(mailbox)
        try:
            typ, _ = connection.select(_quoted(mailbox.imap_folder))
            if typ != "OK":
                raise imaplib.IMAP4.error(f"cannot open folder {mailbox.imap_folder}")
            typ, data = connection.uid("SEARCH", None, "UNSEEN")
            uids = (data[0] or b"").split() if typ == "OK" else []
            for uid in uids[:limit]:
                _fetch_one(connection, uid, mailbox, report)
        finally:
            with contextlib.suppress(imaplib.IMAP4.error, OSError):
                connection.logout()
        mailbox.last_error = ""
    except (imaplib.IMAP4.error, OSError) as exc:
        report.error = f"{type(exc).__name__}: {exc}"
        mailbox.last_error = report.error[:2000]
        logger.warning("mailbox %s could not be read: %s", mailbox.name, exc)
    finally:
        cache.delete(lock)
    mailbox.last_polled_at = timezone.now()
    Mailbox.objects.filter(pk=mailbox.pk).update(
        last_polled_at=mailbox.last_polled_at, last_error=mailbox.last_error
    )
    return report


def _fetch_one(connection: imaplib.IMAP4, uid: bytes, mailbox: Mailbox, report: FetchReport) -> None:
    typ, parts = connection.uid("FETCH", uid, "(BODY.PEEK[])")
    raw = next((part[1] for part in parts or [] if isinstance(part, tuple) and len(part) > 1), None)
    if typ != "OK" or raw is None:
        return
    report.fetched += 1
    try:
        result = email_ingest(raw=raw, via="imap", mailbox=mailbox)
    except Exception:  # kept as failed by email_ingest; the mailbox goes on
        report.failed += 1
    else:
        report.results.append(result)
        if result.ignored:
            report.ignored += 1
        elif result.created:
            report.created += 1
        else:
            report.threaded += 1
    connection.uid("STORE", uid, "+FLAGS", "(\\Seen)")


def _quoted(folder: str) -> str:
    return folder if folder.isalnum() else '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def mailboxes_fetch() -> list[FetchReport]:
    """One pass over every active mailbox with IMAP settings."""
    return [
        mailbox_fetch(m) for m in Mailbox.objects.filter(is_active=True).exclude(imap_host="") if m.polls_imap
    ]
