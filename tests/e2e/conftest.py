"""End-to-end fixtures: the system started exactly as the README starts it, and headless Chromium.

The server gets its own database: a temporary SQLite file by default, or a fresh PostgreSQL database
when the suite runs with DATABASE_URL pointing at PostgreSQL. Browser tests skip when Chromium is
missing, unless REQUIRE_E2E=1 (set by .ci/run), where a missing browser fails the run.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest

from helpdesk.management.demo.credentials import DemoCredentials, parse_printed

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


# With E2E_SCREENSHOTS set, pages are photographed there and every e-mail received is kept as mail-NNN.eml.
KEEP_DIR = os.environ.get("E2E_SCREENSHOTS", "")

# What the server's seeding printed (random passwords and tokens), read from its log once it is up.
DEMO = DemoCredentials()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_healthy(url: str, process: subprocess.Popen, timeout: float = 300) -> None:
    # The deadline covers migrating and seeding a fresh database too, slow on a busy shared machine.

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited early with code {process.returncode}")
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError("the server did not become healthy in time")


def _server_database(tmp_path: Path) -> tuple[str, callable]:
    """A database URL for the server process, and a cleanup function."""
    base = os.environ.get("DATABASE_URL", "")
    if base.startswith("postgres"):
        import psycopg

        name = f"e2e_{uuid.uuid4().hex[:10]}"
        admin_url = base.rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')

        def drop() -> None:
            with psycopg.connect(admin_url, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

        return base.rsplit("/", 1)[0] + "/" + name, drop
    return f"sqlite:///{tmp_path / 'e2e.sqlite3'}", lambda: None


class Mailbox:
    """What a real SMTP server (aiosmtpd) received from the system under test."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 - aiosmtpd's hook name
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        if KEEP_DIR:  # the raw messages, as received, for reading by hand
            Path(KEEP_DIR, f"mail-{len(self.messages):03d}.eml").write_bytes(envelope.content)
        return "250 Message accepted"

    def wait_for(self, *, to: str, subject: str = "", timeout: float = 30) -> EmailMessage:
        """The first message to this address (whose subject contains `subject`), waiting for the worker
        to send it."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for message in self.messages:
                if to.lower() in str(message["To"]).lower() and subject in str(message["Subject"]):
                    return message
            time.sleep(0.2)
        raise AssertionError(f"no e-mail to {to} within {timeout} s")


@pytest.fixture(scope="session")
def mailbox() -> Iterator[Mailbox]:
    """An SMTP server on a free local port; the system under test sends its e-mail there."""
    from aiosmtpd.controller import Controller

    box = Mailbox()
    if KEEP_DIR:
        Path(KEEP_DIR).mkdir(parents=True, exist_ok=True)
    controller = Controller(box, hostname="127.0.0.1", port=_free_port())
    controller.start()
    box.port = controller.port
    try:
        yield box
    finally:
        controller.stop()


def _server_redis() -> dict[str, str]:
    """With REDIS_URL, the server gets a Redis database of its own, emptied first: counters such as the
    per-user socket cap must not carry over from earlier runs that share the Redis server."""
    base = os.environ.get("REDIS_URL", "")
    if not base:
        return {}
    import redis

    url = base.rsplit("/", 1)[0] + "/" + E2E_REDIS_DB
    redis.Redis.from_url(url).flushdb()
    return {"REDIS_URL": url}


E2E_REDIS_DB = "14"


@pytest.fixture(scope="session")
def server(tmp_path_factory, mailbox) -> Iterator[str]:
    """Base URL of a running system: `manage.py start` (web + worker, migrated, demo data seeded)."""
    tmp_path = tmp_path_factory.mktemp("server")
    database_url, cleanup = _server_database(tmp_path)
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "HELPDESK_VAR_DIR": str(tmp_path / "var"),
        "Q_CLUSTER_NAME": f"e2e{port}",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "EMAIL_URL": f"smtp://127.0.0.1:{mailbox.port}",
        "HELPDESK_BASE_URL": f"http://127.0.0.1:{port}",
        **_server_redis(),
    }
    log = open(tmp_path / "server.log", "w")  # noqa: SIM115 - closed in the finalizer below
    process = subprocess.Popen(
        # The demo is seeded on an empty database; PostgreSQL only when asked (never by accident).
        [sys.executable, "manage.py", "start", "--port", str(port), "--demo"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_healthy(url, process)
        printed = parse_printed((tmp_path / "server.log").read_text())
        assert printed.admin_password and printed.shared_password, "seed_demo printed no passwords"
        DEMO.admin_password, DEMO.shared_password, DEMO.tokens = (
            printed.admin_password,
            printed.shared_password,
            printed.tokens,
        )
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
        cleanup()


@pytest.fixture(scope="session")
def browser():
    if CHROMIUM is None:
        if os.environ.get("REQUIRE_E2E") == "1":
            pytest.fail("Chromium is required for the browser tests (REQUIRE_E2E=1) but was not found.")
        pytest.skip("Chromium is not installed; browser tests skipped (install the Debian package chromium).")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def open_page(browser):
    """open_page(**context_options): a page in a browser context of its own (a separate person), closed
    when the test ends, so its live socket does not count against the person's socket cap afterwards."""
    contexts = []

    def _open(**options):
        context = browser.new_context(**options)
        contexts.append(context)
        return context.new_page()

    yield _open
    for context in contexts:
        context.close()


def sign_in(page, base_url: str, username: str, password: str | None = None) -> None:
    """Sign in through the login form, by default with the password the demo seeding printed."""
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password or DEMO.password_for(username))
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


def api(
    server: str, method: str, path: str, payload: dict | None = None, *, token: str = "integration"
) -> dict:
    """A call to the REST API with one of the API tokens the demo seeding printed."""
    request = urllib.request.Request(
        server + path,
        method=method,
        data=None if method == "GET" else json.dumps(payload or {}).encode(),
        headers={"Authorization": f"Token {DEMO.tokens[token]}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read() or b"{}")
