"""With the database gone, the running server answers a clear 503 (a page, or JSON under /api/), and it
serves normally again as soon as the database is back, without a restart.

A real web process: on SQLite its database folder is moved away and back; on PostgreSQL it reaches the
database through a TCP relay that the test cuts and restores.
"""

from __future__ import annotations

import contextlib
import os
import re
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator

import httpx
import pytest

from tests.e2e.conftest import ROOT, _free_port, _server_database, _wait_until_healthy

pytestmark = pytest.mark.timeout(240)


class Relay:
    """A TCP relay 127.0.0.1:port → target that can be cut (every connection dropped) and restored."""

    def __init__(self, target: tuple[str, int]):
        self.target = target
        self.port = _free_port()
        self._listener: socket.socket | None = None
        self._open: list[socket.socket] = []
        self._lock = threading.Lock()

    def start(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            with self._lock:
                self._open += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        if self._listener is not None:
            # Shutting down wakes the accepting thread; closing alone leaves it accepting on Linux.
            with contextlib.suppress(OSError):
                self._listener.shutdown(socket.SHUT_RDWR)
            self._listener.close()
            self._listener = None
        with self._lock:
            for s in self._open:
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
                s.close()
            self._open.clear()

    restore = start


@pytest.fixture
def outage(tmp_path) -> Iterator[tuple[str, callable, callable]]:
    """(base URL of a running web process, take the database away, bring it back)."""
    database_url, cleanup = _server_database(tmp_path)
    env = {
        **os.environ,
        "HELPDESK_VAR_DIR": str(tmp_path / "var"),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "SQLITE_NO_PERSIST": "1",
        "DJANGO_SUPERUSER_PASSWORD": "outage-pass-123",
        # Plain HTTP on 127.0.0.1, as the embedded demo serves: no redirect to HTTPS, no Secure-only cookies.
        "HELPDESK_LOCAL_HTTP": "1",
    }
    env.pop("REDIS_URL", None)  # this test is about the database; sessions and cache stay in the process
    relay = None
    if database_url.startswith("sqlite"):
        folder = tmp_path / "db"
        folder.mkdir()
        env["DATABASE_URL"] = f"sqlite:///{folder / 'db.sqlite3'}"

        def away() -> None:
            folder.rename(tmp_path / "db-away")

        def back() -> None:
            (tmp_path / "db-away").rename(folder)
    else:
        match = re.match(r"postgres(?:ql)?://([^@/]*@)?([^:/]+)(?::(\d+))?/(.+)", database_url)
        host, port = match.group(2), int(match.group(3) or 5432)
        relay = Relay((host, port))
        relay.start()
        env["DATABASE_URL"] = f"postgres://{match.group(1) or ''}127.0.0.1:{relay.port}/{match.group(4)}"
        away, back = relay.cut, relay.restore
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
    subprocess.run(
        [*manage, "createsuperuser", "--noinput", "--username", "root", "--email", "root@example.com"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    port = _free_port()
    log = open(tmp_path / "web.log", "w")  # noqa: SIM115 - closed below
    web = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "config.asgi:application",
            "--port",
            str(port),
            "--lifespan",
            "off",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_healthy(url, web)
        yield url, away, back
    finally:
        web.terminate()
        web.wait(timeout=20)
        log.close()
        if relay is not None:
            relay.cut()
        cleanup()


def _signed_in(url: str) -> httpx.Client:
    client = httpx.Client(base_url=url, timeout=30)
    page = client.get("/accounts/login/")
    # The form's hidden input, whatever the order of its attributes; else the csrftoken cookie.
    hidden = re.search(r"<input[^>]*name=[\"']csrfmiddlewaretoken[\"'][^>]*>", page.text)
    value = re.search(r"value=[\"']([^\"']+)", hidden.group(0)) if hidden else None
    csrf = value.group(1) if value else client.cookies.get("csrftoken")
    assert csrf, page.text
    done = client.post(
        "/accounts/login/",
        data={"username": "root", "password": "outage-pass-123", "csrfmiddlewaretoken": csrf},
        headers={"Referer": f"{url}/accounts/login/"},
    )
    assert done.status_code == 302, done.text
    return client


def test_pages_and_api_answer_503_while_the_database_is_away_and_recover(outage):
    url, away, back = outage
    client = _signed_in(url)
    assert client.get("/admin/").status_code == 200
    assert client.get("/api/tickets/").status_code == 200

    away()
    page = client.get("/admin/")
    assert page.status_code == 503
    assert page.headers["content-type"].startswith("text/html")
    assert "Briefly unavailable" in page.text
    assert page.headers["retry-after"]
    api = client.get("/api/tickets/")
    assert api.status_code == 503
    assert "database" in api.json()["detail"]
    assert client.get("/healthz").status_code == 503

    back()
    assert client.get("/admin/").status_code == 200
    assert client.get("/api/tickets/").json()["count"] == 0
    assert client.get("/healthz").status_code == 200
