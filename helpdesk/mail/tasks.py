"""The worker's e-mail tasks, called by name (django-q2)."""

from __future__ import annotations

from helpdesk.mail.imap import mailboxes_fetch
from helpdesk.mail.outbound import customer_mail_for_event, outbound_retry_due


def customer_mail(event_id: int) -> int | None:
    """Send the customer the e-mail this ticket event makes due, if any."""
    return customer_mail_for_event(event_id)


def mail_schedule() -> dict:
    """Every minute: read the IMAP mailboxes and try failed e-mails again."""
    fetched = mailboxes_fetch()
    return {"fetched": sum(report.fetched for report in fetched), "retried": outbound_retry_due()}
