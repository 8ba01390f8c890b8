"""Opening a message's file: only for people who may see it, never rendered as what the sender claimed."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest

from helpdesk.models import Attachment
from helpdesk.selectors import attachment_for


def attachment_response(attachment: Attachment) -> FileResponse:
    """Raster images open inline (previews); everything else downloads. Either way the browser may not
    sniff another type, and the file runs in a sandbox with no scripts."""
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=not attachment.is_image,
        filename=attachment.name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, max-age=300"
    return response


@login_required
def attachment_download(request: HttpRequest, pk: int, name: str = "") -> FileResponse:
    return attachment_response(attachment_for(request.user, pk))
