"""manage.py start: migrate, seed the demo where that is safe, then run the web server and the worker.

The two processes are supervised together (helpdesk/supervise.py): a process that dies is started again
after a back-off while the other keeps serving; Ctrl-C or SIGTERM stops both, and everything they spawned.

Bound to a loopback address (the default 127.0.0.1) with the default local-only ALLOWED_HOSTS, it serves
plain HTTP; anywhere else, with DEBUG off, HTTPS is required (config/settings.py).

The demo is loaded into an empty embedded SQLite database (the two-command run of the README), and into
any other database only when asked (`--demo`): a PostgreSQL database is meant for production.
"""

from __future__ import annotations

import os
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import connection

from helpdesk.models import Team
from helpdesk.supervise import Child, Supervisor

LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}
WILDCARD = {"0.0.0.0", "::", "[::]"}


def own_address(host: str, port: int) -> str | None:
    """The address links in e-mails should start with when HELPDESK_BASE_URL is not set: where this
    server listens, unless it listens on every interface (then only the operator knows the public name)."""
    if host in WILDCARD:
        return None
    scheme = "http" if host in LOOPBACK else "https"
    default_port = {"http": 80, "https": 443}[scheme]
    return f"{scheme}://{host}" if port == default_port else f"{scheme}://{host}:{port}"


class Command(BaseCommand):
    help = "Run the whole helpdesk: web (HTTP + websockets) and the background worker."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--web-workers", type=int, default=int(os.environ.get("WEB_WORKERS", "1")))
        seeding = parser.add_mutually_exclusive_group()
        seeding.add_argument(
            "--demo",
            action="store_true",
            help="Load the demo data into an empty database of any kind (PostgreSQL included).",
        )
        seeding.add_argument(
            "--no-seed",
            action="store_true",
            help="Do not load demo data, even into an empty SQLite database.",
        )
        parser.add_argument("--no-worker", action="store_true", help="Run the web server only.")

    def handle(
        self,
        *args,
        host: str,
        port: int,
        web_workers: int,
        demo: bool,
        no_seed: bool,
        no_worker: bool,
        **options,
    ) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        address = own_address(host, port)
        if "HELPDESK_BASE_URL" not in os.environ and address:
            os.environ["HELPDESK_BASE_URL"] = address  # for the web server and the worker
            settings.HELPDESK_BASE_URL = address  # for the e-mails seeding the demo writes here
        self._seed(demo=demo, no_seed=no_seed)
        children = [
            Child(
                "web server",
                [
                    sys.executable,
                    "-m",
                    "uvicorn",
                    "config.asgi:application",
                    "--host",
                    host,
                    "--port",
                    str(port),
                    "--workers",
                    str(web_workers),
                    "--lifespan",
                    "off",
                    "--no-access-log",
                ],
            )
        ]
        if host in LOOPBACK:
            # Only this machine can connect: the embedded demo may serve plain HTTP (config/settings.py).
            os.environ["HELPDESK_LOCAL_HTTP"] = "true"
        if not no_worker:
            children.append(
                Child("worker", [sys.executable, str(settings.BASE_DIR / "manage.py"), "qcluster"])
            )
        self.stdout.write(
            self.style.SUCCESS(f"Helpdesk running on http://{host}:{port}/ (Ctrl-C stops web and worker)")
        )
        self.stdout.flush()
        connection.close()  # the children open their own; this process only supervises
        Supervisor(children=children, cwd=settings.BASE_DIR, say=self._say).run()

    def _say(self, text: str) -> None:
        self.stderr.write(text)
        self.stderr.flush()

    def _seed(self, *, demo: bool, no_seed: bool) -> None:
        if no_seed or Team.objects.exists():
            return
        if demo or connection.vendor == "sqlite":
            self.stdout.write("Empty database: loading demo data (seed_demo)...")
            call_command("seed_demo", stdout=self.stdout)
        else:
            self.stdout.write(
                f"Empty {connection.vendor} database: no demo data loaded (pass --demo to load it). "
                "Create the first administrator with `python3 manage.py createsuperuser`."
            )
        self.stdout.flush()
