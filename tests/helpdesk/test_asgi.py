"""The ASGI application as uvicorn runs it: HTTP requests go through Django on the pooled threads."""

from __future__ import annotations

import json
import threading

import pytest
from asgiref.testing import ApplicationCommunicator
from rest_framework.authtoken.models import Token

from config.asgi import application
from helpdesk.models import Ticket
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


async def _request(method: str, path: str, body: bytes = b"", headers=()) -> tuple[int, dict, bytes]:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"localhost"), *headers],
        "client": ("127.0.0.1", 50000),
        "server": ("localhost", 80),
    }
    app = ApplicationCommunicator(application, scope)
    # The body arrives in two chunks, as a client may send it.
    await app.send_input({"type": "http.request", "body": body[:10], "more_body": True})
    await app.send_input({"type": "http.request", "body": body[10:]})
    start = await app.receive_output(timeout=10)
    chunks = []
    while True:
        message = await app.receive_output(timeout=10)
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            break
    return start["status"], dict(start["headers"]), b"".join(chunks)


async def test_healthz_answers_through_the_asgi_app():
    status, headers, body = await _request("GET", "/healthz")
    assert status == 200
    assert json.loads(body) == {"status": "ok", "database": "ok"}
    assert b"content-security-policy" in headers


def test_a_posted_ticket_is_saved_from_a_pooled_thread(monkeypatch):
    from asgiref.sync import async_to_sync

    token = Token.objects.create(user=UserFactory(username="integration", is_staff=True))
    seen_threads = []
    original = Ticket.save

    def recording_save(self, *args, **kwargs):
        seen_threads.append(threading.current_thread().name)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Ticket, "save", recording_save)
    payload = {
        "subject": "Invoice missing",
        "body": "Where is my invoice for May?",
        "customer_email": "a@b.test",
    }
    status, _, body = async_to_sync(_request)(
        "POST",
        "/api/tickets/",
        json.dumps(payload).encode(),
        headers=[(b"content-type", b"application/json"), (b"authorization", f"Token {token.key}".encode())],
    )
    assert status == 201, body
    assert json.loads(body)["subject"] == "Invoice missing"
    assert Ticket.objects.filter(subject="Invoice missing", customer__email="a@b.test").exists()
    assert seen_threads and all(name.startswith("http") for name in seen_threads)
