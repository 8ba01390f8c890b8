"""Read the IMAP mailboxes configured in the admin: every unseen e-mail becomes a ticket or a reply.
Without --once it keeps reading every MAIL_FETCH_INTERVAL seconds (the worker's schedule also reads
them every minute)."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.management.base import BaseCommand

from helpdesk.mail.imap import mailboxes_fetch


class Command(BaseCommand):
    help = "Read unseen e-mail from the IMAP mailboxes into tickets."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--once", action="store_true", help="One pass, then stop.")

    def handle(self, *args, **options) -> None:
        while True:
            reports = mailboxes_fetch()
            if not reports:
                self.stdout.write("No active mailbox with IMAP settings (add one in the admin).")
            for r in reports:
                line = (
                    f"{r.mailbox}: {r.fetched} read, {r.created} new tickets, {r.threaded} replies, "
                    f"{r.ignored} ignored, {r.failed} failed"
                )
                self.stdout.write(line + (f" ({r.error})" if r.error else ""))
            if options["once"]:
                return
            time.sleep(settings.MAIL_FETCH_INTERVAL)
