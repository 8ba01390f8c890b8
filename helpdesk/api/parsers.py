"""Request bodies the API reads: JSON that cannot crash the server.

Three ways a JSON body used to become a server error instead of a 400: a lone UTF-16 surrogate
(`"\\ud800"` is valid JSON but no valid text; echoed in an error message it made the response
unencodable), nesting thousands of levels deep (the decoder's recursion limit), and a body of any
size (Django's DATA_UPLOAD_MAX_MEMORY_SIZE only guards form data, not a stream DRF reads itself).
"""

from __future__ import annotations

from django.conf import settings
from rest_framework import status
from rest_framework.exceptions import APIException, ParseError, ValidationError
from rest_framework.parsers import JSONParser
from rest_framework.utils import json

ERR_SURROGATE = "Contains characters that are not valid Unicode text (a lone surrogate)."
ERR_TOO_DEEP = "JSON parse error - the document is nested too deeply."
ERR_ENCODING = "JSON parse error - the body is not valid UTF-8."
# No request of this API needs more; a real client never comes near it.
MAX_DEPTH = 32


class RequestTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "too_large"


def has_surrogate(text: str) -> bool:
    """True when the text holds a UTF-16 surrogate, which no UTF-8 encoder accepts."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _clean_key(key: object) -> str:
    return key if isinstance(key, str) and not has_surrogate(key) else "non_field_errors"


def invalid_text_fields(data: object) -> tuple[list[str], int]:
    """Top-level field names whose values (at any depth) hold lone surrogates, and the nesting depth.

    Walks iteratively: a document that is merely deep must not exhaust the stack here either.
    """
    bad: list[str] = []
    depth = 0
    if isinstance(data, dict):
        roots = [(_clean_key(k), k, v) for k, v in data.items()]
    else:
        roots = [("non_field_errors", None, data)]
    for field, key, value in roots:
        if isinstance(key, str) and has_surrogate(key) and field not in bad:
            bad.append(field)
        stack = [(value, 1)]
        while stack:
            item, level = stack.pop()
            depth = max(depth, level)
            if isinstance(item, str):
                if has_surrogate(item) and field not in bad:
                    bad.append(field)
            elif isinstance(item, dict):
                for k, v in item.items():
                    if has_surrogate(k) and field not in bad:
                        bad.append(field)
                    stack.append((v, level + 1))
            elif isinstance(item, list):
                stack.extend((v, level + 1) for v in item)
    return bad, depth


class StrictJSONParser(JSONParser):
    """DRF's JSON parser with a size limit, a depth limit and text that can be encoded again."""

    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        raw = stream.read() if limit is None else stream.read(limit + 1)
        if limit is not None and len(raw) > limit:
            raise RequestTooLarge(f"The request body is larger than {limit} bytes.")
        try:
            text = raw.decode(encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise ParseError(ERR_ENCODING) from exc
        try:
            data = json.loads(text, parse_constant=json.strict_constant if self.strict else None)
        except RecursionError as exc:
            raise ParseError(ERR_TOO_DEEP) from exc
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from exc
        bad, depth = invalid_text_fields(data)
        if depth > MAX_DEPTH:
            raise ParseError(ERR_TOO_DEEP)
        if bad:
            raise ValidationError({field: [ERR_SURROGATE] for field in bad})
        return data
