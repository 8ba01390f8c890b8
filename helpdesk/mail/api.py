"""The inbound e-mail webhook: mail services (and our own MTA) post the raw message here."""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.parsers import BaseParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from helpdesk.api.permissions import IsStaffClient
from helpdesk.mail.ingest import email_ingest

ERR_EMPTY = "Send the whole e-mail (RFC 822) as the request body."
ERR_TOO_LARGE = "The e-mail is larger than {limit} MB."


class RawEmailParser(BaseParser):
    """`Content-Type: message/rfc822`: the body is the e-mail, bytes as they are."""

    media_type = "message/rfc822"

    def parse(self, stream, media_type=None, parser_context=None) -> bytes:
        return stream.read(settings.MAIL_MAX_BYTES + 1) if stream is not None else b""


class InboundEmailApi(APIView):
    """POST a raw e-mail: 201 `{ticket, message, created}`, or 202 `{ignored: reason}` for mail that must
    not open a ticket (automatic replies, bounces, list mail, loops, a second delivery)."""

    parser_classes = [RawEmailParser]
    permission_classes = [IsStaffClient]

    @extend_schema(
        request={"message/rfc822": bytes},
        responses={
            201: inline_serializer(
                "InboundEmailCreated",
                {
                    "ticket": serializers.IntegerField(),
                    "message": serializers.IntegerField(),
                    "created": serializers.BooleanField(),
                },
            ),
            202: inline_serializer("InboundEmailIgnored", {"ignored": serializers.CharField()}),
            400: OpenApiResponse(description="`{body: [message]}`"),
        },
    )
    def post(self, request: Request) -> Response:
        raw = request.data if isinstance(request.data, bytes) else b""
        if not raw.strip():
            return Response({"body": [ERR_EMPTY]}, status=status.HTTP_400_BAD_REQUEST)
        if len(raw) > settings.MAIL_MAX_BYTES:
            limit = settings.MAIL_MAX_BYTES // (1024 * 1024)
            return Response({"body": [ERR_TOO_LARGE.format(limit=limit)]}, status=status.HTTP_400_BAD_REQUEST)
        result = email_ingest(raw=raw, via="webhook")
        code = status.HTTP_202_ACCEPTED if result.ignored else status.HTTP_201_CREATED
        return Response(result.as_json(), status=code)
