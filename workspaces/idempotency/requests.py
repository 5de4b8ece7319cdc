"""Reading `Idempotency-Key` and fingerprinting the request it guards."""

import hashlib
import json
import re

from django.http.request import RawPostDataException

from nodestash.errors import validation_error

HEADER = "Idempotency-Key"
METHODS = frozenset({"POST", "PATCH", "PUT"})
KEY_PATTERN = re.compile(r"[\x20-\x7e]{1,255}")


def idempotency_key_from(request) -> str | None:
    """The header's value for a write that can carry one, else None; malformed → 400."""
    if request.method not in METHODS:
        return None
    value = request.headers.get(HEADER)
    if value is None:
        return None
    if not KEY_PATTERN.fullmatch(value):
        raise validation_error(HEADER, f"{HEADER} must be 1-255 printable ASCII characters.")
    return value


def canonical_json(data) -> bytes:
    return json.dumps(data, sort_keys=True, separators=(",", ":")).encode()


def canonical_body(request) -> bytes:
    """JSON bodies compare by content (key order and whitespace do not matter); others by bytes."""
    try:
        raw = request.body
    except RawPostDataException:
        # Already parsed from the stream (a session request's CSRF check reads the data): the
        # parsers accept JSON only, so the parsed data is the body's content.
        return canonical_json(request.data)
    try:
        return canonical_json(json.loads(raw))
    except (ValueError, RecursionError):
        return raw


def request_fingerprint(request) -> str:
    digest = hashlib.sha256()
    for part in (request.method.encode(), request.get_full_path().encode(), canonical_body(request)):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()
