"""Files on messages: stored under limits, listed with the message, opened only by people who may see them."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from helpdesk.models import Attachment, Message
from helpdesk.services import message_add
from helpdesk.services.attachments import IncomingFile
from tests.factories import TicketFactory

pytestmark = pytest.mark.django_db

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4"
    b"\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


@pytest.fixture
def ticket(customer, billing):
    return TicketFactory(customer=customer, team=billing)


def _upload(api, ticket, *files, **fields):
    return api.post(
        f"/api/tickets/{ticket.pk}/messages/",
        {"body": "See attached.", "attachments": list(files), **fields},
        format="multipart",
    )


def test_a_customer_attaches_a_file_and_finds_it_listed_with_the_message(api, ticket, customer):
    api.force_authenticate(customer)
    response = _upload(api, ticket, SimpleUploadedFile("invoice 2024.pdf", b"%PDF-1.4 test", "text/html"))
    assert response.status_code == 201, response.json()
    [listed] = response.json()["attachments"]
    assert listed["name"] == "invoice_2024.pdf"
    assert listed["size"] == len(b"%PDF-1.4 test")
    # The sender said text/html; we store what the extension means, so it can never render as a page.
    assert listed["content_type"] == "application/pdf"
    messages = api.get(f"/api/tickets/{ticket.pk}/messages/").json()
    assert messages[-1]["attachments"][0]["id"] == listed["id"]
    assert messages[-1]["channel"] == "api"

    download = api.get(listed["url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.4 test"
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["X-Content-Type-Options"] == "nosniff"


def test_another_customer_never_gets_the_file(api, ticket, customer, other_customer):
    api.force_authenticate(customer)
    url = _upload(api, ticket, SimpleUploadedFile("log.txt", b"trace")).json()["attachments"][0]["url"]
    api.force_authenticate(other_customer)
    assert api.get(url).status_code == 404


def test_an_internal_notes_file_stays_with_the_agents(api, ticket, customer, agent):
    api.force_authenticate(agent.user)
    response = _upload(api, ticket, SimpleUploadedFile("notes.txt", b"internal"), internal=True)
    assert response.status_code == 201, response.json()
    attachment_id = response.json()["attachments"][0]["id"]
    assert api.get(f"/api/attachments/{attachment_id}/").status_code == 200
    api.force_authenticate(customer)
    assert api.get(f"/api/attachments/{attachment_id}/").status_code == 404


def test_images_are_previewed_inline_in_a_sandbox(client, ticket, customer):
    message = message_add(
        ticket=ticket, author=customer, body="", attachments=[IncomingFile(name="screen.png", content=PNG)]
    )
    attachment = message.attachments.get()
    client.force_login(customer)
    response = client.get(f"/attachments/{attachment.pk}/screen.png")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("inline;")
    assert "sandbox" in response["Content-Security-Policy"]


def test_the_download_page_sends_strangers_to_sign_in(client, ticket, customer):
    message = message_add(
        ticket=ticket, author=customer, body="x", attachments=[IncomingFile(name="a.txt", content=b"a")]
    )
    response = client.get(f"/attachments/{message.attachments.get().pk}/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("run.exe", b"MZ"), "not accepted"),
        (SimpleUploadedFile("huge.pdf", b"x" * 2048), "at most"),
        (SimpleUploadedFile("empty.txt", b""), "empty"),
    ],
)
def test_files_over_the_limits_are_refused_and_nothing_is_kept(
    api, ticket, customer, settings, upload, message
):
    settings.ATTACHMENT_MAX_BYTES = 1024
    api.force_authenticate(customer)
    before = Message.objects.count()
    response = _upload(api, ticket, upload)
    assert response.status_code == 400
    assert message in " ".join(response.json()["attachments"])
    assert Message.objects.count() == before
    assert not Attachment.objects.exists()


def test_too_many_files_are_refused(api, ticket, customer, settings):
    settings.ATTACHMENT_MAX_PER_MESSAGE = 2
    api.force_authenticate(customer)
    files = [SimpleUploadedFile(f"f{i}.txt", b"x") for i in range(3)]
    response = _upload(api, ticket, *files)
    assert response.status_code == 400
    assert "at most 2 files" in response.json()["attachments"][0]
