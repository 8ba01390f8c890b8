"""Fixtures of the e-mail tests: a real SMTP server that Django sends to, a real IMAP server to read,
and helpers to write e-mails."""

from __future__ import annotations

import pytest

from tests.helpdesk.mail.servers import start_imap, start_smtp

SUPPORT = "support@helpdesk.test"


@pytest.fixture
def smtp(settings):
    """aiosmtpd on a free port; Django's SMTP backend points at it (as EMAIL_URL=smtp://host:port would)."""
    server, controller = start_smtp()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = server.host, server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    settings.HELPDESK_FROM_EMAIL = SUPPORT
    settings.HELPDESK_BASE_URL = "https://help.example.test"
    yield server
    controller.stop()


@pytest.fixture(scope="session")
def imap_server():
    server = start_imap(username=SUPPORT)
    yield server
    server.process.terminate()
    server.process.wait(timeout=10)


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run an action, then what its transaction hands on after commit (routing, e-mails), as happens
    once a request's transaction commits."""

    def run(action):
        with django_capture_on_commit_callbacks(execute=True):
            return action()

    return run


@pytest.fixture
def deliver(api, committed):
    """Post a raw e-mail to the inbound webhook (authenticate `api` first)."""

    def post(raw: bytes):
        return committed(lambda: api.post("/api/inbound/email/", data=raw, content_type="message/rfc822"))

    return post
