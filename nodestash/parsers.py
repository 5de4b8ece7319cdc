"""The JSON body parser: strict about what it accepts, so nothing odd reaches a serializer.

Refused with 400: invalid UTF-8, malformed JSON, NaN/Infinity, nesting deeper than
MAX_JSON_DEPTH, and any string (key or value) holding a NUL character or a lone surrogate
(neither can be stored in PostgreSQL text). Bodies are read with a hard cap so a client that
lies about Content-Length still cannot make us buffer more than the limit.
"""

import json

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import BaseParser

from nodestash.errors import PayloadTooLarge

MAX_JSON_DEPTH = 32


def _reject_constant(name: str):
    raise ValueError(f"{name} is not valid JSON")


def check_text(value: str) -> None:
    """Raise ParseError for text that cannot be stored: NUL or unpaired surrogates."""
    if "\x00" in value:
        raise ParseError("Strings must not contain NUL characters.")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ParseError("Strings must be valid Unicode (unpaired surrogate found).") from exc


def check_structure(value, depth: int = 0) -> None:
    """`depth` is the number of objects/arrays around `value`; each object or array is one level,
    so a body of MAX_JSON_DEPTH nested arrays passes and one more level is refused."""
    if isinstance(value, dict | list) and depth >= MAX_JSON_DEPTH:
        raise ParseError(f"JSON nesting deeper than {MAX_JSON_DEPTH} levels is not accepted.")
    if isinstance(value, str):
        check_text(value)
    elif isinstance(value, dict):
        for key, item in value.items():
            check_text(key)
            check_structure(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            check_structure(item, depth + 1)


class StrictJSONParser(BaseParser):
    media_type = "application/json"

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.MAX_REQUEST_BODY_BYTES
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise PayloadTooLarge()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ParseError("The request body is not valid UTF-8.") from exc
        try:
            data = json.loads(text, parse_constant=_reject_constant)
        except RecursionError as exc:
            raise ParseError(f"JSON nesting deeper than {MAX_JSON_DEPTH} levels is not accepted.") from exc
        except ValueError as exc:
            raise ParseError(f"Malformed JSON: {exc}") from exc
        check_structure(data)
        return data
