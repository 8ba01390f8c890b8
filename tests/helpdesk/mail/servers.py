"""Real mail servers for the tests: aiosmtpd (SMTP) in a thread and pymap (IMAP) in a subprocess, both
on 127.0.0.1 and a free port."""

from __future__ import annotations

import email
import imaplib
import shutil
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from pathlib import Path

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Received:
    sender: str
    recipients: list[str]
    raw: bytes

    @property
    def message(self) -> EmailMessage:
        return email.message_from_bytes(self.raw, policy=policy.default)

    def text(self) -> str:
        return self.message.get_body(preferencelist=("plain",)).get_content()

    def html(self) -> str:
        return self.message.get_body(preferencelist=("html",)).get_content()


@dataclass
class SmtpServer:
    """Everything the server accepted, in order."""

    host: str
    port: int
    received: list[Received] = field(default_factory=list)
    refuse: bool = False
    arrived: threading.Condition = field(default_factory=threading.Condition)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        if self.refuse:
            return "451 4.3.0 Try again later"
        with self.arrived:
            self.received.append(
                Received(
                    sender=envelope.mail_from,
                    recipients=list(envelope.rcpt_tos),
                    raw=envelope.original_content,
                )
            )
            self.arrived.notify_all()
        return "250 OK"

    def to(self, address: str) -> list[Received]:
        return [r for r in self.received if address in r.recipients]

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Received]:
        with self.arrived:
            self.arrived.wait_for(lambda: len(self.received) >= count, timeout=timeout)
        return self.received


def start_smtp() -> tuple[SmtpServer, Controller]:
    port = free_port()
    server = SmtpServer(host="127.0.0.1", port=port)
    controller = Controller(server, hostname="127.0.0.1", port=port)
    controller.start()
    return server, controller


@dataclass
class ImapServer:
    host: str
    port: int
    username: str
    password: str
    process: subprocess.Popen

    def client(self) -> imaplib.IMAP4:
        client = imaplib.IMAP4(self.host, self.port)
        client.login(self.username, self.password)
        return client

    def deliver(self, *raws: bytes, folder: str = "INBOX") -> None:
        """Put e-mails into the mailbox as a mail server would (IMAP APPEND)."""
        client = self.client()
        try:
            for raw in raws:
                typ, data = client.append(folder, None, None, raw)
                assert typ == "OK", data
        finally:
            client.logout()

    def unseen(self, folder: str = "INBOX") -> int:
        client = self.client()
        try:
            client.select(folder)
            typ, data = client.uid("SEARCH", None, "UNSEEN")
            return len((data[0] or b"").split())
        finally:
            client.logout()


def pymap_command() -> str:
    found = shutil.which("pymap") or str(Path(sys.executable).with_name("pymap"))
    return found


def start_imap(username: str = "support@helpdesk.test", password: str = "s3cret-imap") -> ImapServer:
    """pymap's in-memory backend: one user, an empty INBOX, plain IMAP on 127.0.0.1."""
    for _ in range(3):  # the port was free a moment ago; another process may take it in between
        port = free_port()
        process = subprocess.Popen(
            [
                pymap_command(),
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--no-tls",
                "dict",
                "--demo-user",
                username,
                "--demo-password",
                password,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and process.poll() is None:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    return ImapServer("127.0.0.1", port, username, password, process)
            except OSError:
                time.sleep(0.05)
        process.kill()
        process.wait()
    raise RuntimeError("the IMAP server (pymap) did not start")
