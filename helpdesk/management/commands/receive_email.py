"""Read one e-mail on standard input and make it a ticket or a message (for an MTA pipe, e.g. Postfix's
`support: "|/path/to/manage.py receive_email"`). Prints what it made as JSON; exits 0 also for mail it
ignored (a bounce must not bounce again)."""

from __future__ import annotations

import json
import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from helpdesk.mail.ingest import email_ingest
from helpdesk.models import Mailbox


class Command(BaseCommand):
    help = "Turn one e-mail (RFC 822, on standard input) into a ticket or a reply."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--mailbox", help="The mailbox's address it was sent to (a routing hint).")

    def handle(self, *args, **options) -> None:
        raw = sys.stdin.buffer.read(settings.MAIL_MAX_BYTES + 1)
        if not raw.strip():
            raise CommandError("No e-mail on standard input.")
        if len(raw) > settings.MAIL_MAX_BYTES:
            raise CommandError(f"The e-mail is larger than {settings.MAIL_MAX_BYTES // (1024 * 1024)} MB.")
        mailbox = None
        if options.get("mailbox"):
            mailbox = Mailbox.objects.filter(email_address__iexact=options["mailbox"]).first()
            if mailbox is None:
                raise CommandError(f"No mailbox {options['mailbox']} (add it in the admin).")
        result = email_ingest(raw=raw, via="pipe", mailbox=mailbox)
        self.stdout.write(json.dumps(result.as_json()))
