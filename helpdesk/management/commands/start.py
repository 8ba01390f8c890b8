"""manage.py start: migrate, seed the demo on first run, then run the web server and the worker.

Both processes are supervised together: if one stops, the other is stopped too; Ctrl-C stops both.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from helpdesk.models import Team


class Command(BaseCommand):
    help = "Run the whole helpdesk: web (HTTP + websockets) and the background worker."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--web-workers", type=int, default=int(os.environ.get("WEB_WORKERS", "1")))
        parser.add_argument(
            "--no-seed", action="store_true", help="Do not load demo data into an empty database."
        )
        parser.add_argument("--no-worker", action="store_true", help="Run the web server only.")

    def handle(
        self, *args, host: str, port: int, web_workers: int, no_seed: bool, no_worker: bool, **options
    ) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        if not no_seed and not Team.objects.exists():
            self.stdout.write("Empty database: loading demo data (seed_demo)...")
            call_command("seed_demo", stdout=self.stdout)
        commands = {
            "web": [
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
        }
        if not no_worker:
            commands["worker"] = [sys.executable, str(settings.BASE_DIR / "manage.py"), "qcluster"]
        processes = {name: subprocess.Popen(cmd, cwd=settings.BASE_DIR) for name, cmd in commands.items()}
        self.stdout.write(
            self.style.SUCCESS(f"Helpdesk running on http://{host}:{port}/ (Ctrl-C stops web and worker)")
        )
        signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt))
        exit_code = 0
        try:
            while True:
                for name, process in processes.items():
                    if process.poll() is not None:
                        self.stderr.write(
                            f"The {name} process stopped (exit code {process.returncode}); stopping the rest."
                        )
                        exit_code = process.returncode or 1
                        raise KeyboardInterrupt
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            self._stop(processes)
        if exit_code:
            raise SystemExit(exit_code)

    def _stop(self, processes: dict[str, subprocess.Popen]) -> None:
        for process in processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
        deadline = time.monotonic() + 15
        for process in processes.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
