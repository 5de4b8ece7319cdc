"""Turns every exception a request can raise into the contract's error envelope (§2).

DRF calls `exception_handler` for exceptions raised inside API views; Django's own 404/500
handlers (`nodestash.views`) and the middleware use `error_response` for the rest, so every
error the API sends has one shape. Nothing internal (stack traces, SQL, class names) leaves here.
"""

import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation, TooManyFieldsSent
from django.db import DatabaseError, IntegrityError, InterfaceError, OperationalError
from django.http import Http404, JsonResponse
from rest_framework import exceptions as drf
from rest_framework.response import Response

from nodestash import errors
from nodestash.request_ids import current_request_id

logger = logging.getLogger("nodestash.errors")

NON_FIELD_KEYS = {"non_field_errors", "__all__"}
DB_RETRY_AFTER_SECONDS = 5


def flatten_details(detail, path: tuple[str, ...] = ()) -> list[dict]:
    """DRF's nested error structure as `[{"field": "stages.1.type", "message": …}]`."""
    if isinstance(detail, dict):
        out = []
        for key, value in detail.items():
            key = str(key)
            out.extend(flatten_details(value, path if key in NON_FIELD_KEYS else (*path, key)))
        return out
    if isinstance(detail, list | tuple):
        if all(isinstance(item, str) for item in detail):
            return [{"field": ".".join(path) or None, "message": str(item)} for item in detail]
        out = []
        for index, item in enumerate(detail):
            out.extend(flatten_details(item, (*path, str(index))))
        return out
    return [{"field": ".".join(path) or None, "message": str(detail)}]


def validation_message(details: list[dict]) -> str:
    if not details:
        return "The request is invalid."
    first = details[0]
    text = f"{first['field']}: {first['message']}" if first["field"] else first["message"]
    more = len(details) - 1
    return f"Invalid request: {text}" + (f" (and {more} more)" if more else "")


def error_body(code: str, message: str, details: list[dict] | None = None, **extra) -> dict:
    error = {"code": code, "message": message}
    if details is not None:
        error["details"] = details
    error.update(extra)
    return {"error": error}


def error_response(status_code: int, code: str, message: str, headers: dict | None = None) -> JsonResponse:
    """A plain-Django error response in the envelope, for code that runs outside DRF."""
    details = [{"field": None, "message": message}] if code == "VALIDATION_ERROR" else None
    body = error_body(code, message, details)
    body["meta"] = {"request_id": current_request_id()}
    response = JsonResponse(body, status=status_code)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def suspicious_request(exc: SuspiciousOperation) -> tuple[int, str, str]:
    """(status, code, message) for a request Django refuses outright (too many parameters, a bad
    Host header, …): the client's error, never a 500."""
    if isinstance(exc, RequestDataTooBig):
        return 413, errors.PayloadTooLarge.error_code, str(errors.PayloadTooLarge.default_detail)
    if isinstance(exc, TooManyFieldsSent):
        limit = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
        return 400, "VALIDATION_ERROR", f"Too many query parameters (at most {limit})."
    return 400, "VALIDATION_ERROR", "The request is malformed."


def _translate(exc: Exception) -> tuple[int, dict, dict]:
    """(status, body, headers) for an exception, or raise it again when it is not ours to map."""
    if isinstance(exc, errors.ApiError):
        return exc.status_code, error_body(exc.error_code, str(exc.detail), **exc.extra), exc.headers
    if isinstance(exc, drf.ValidationError):
        details = flatten_details(exc.detail)
        return 400, error_body("VALIDATION_ERROR", validation_message(details), details), {}
    if isinstance(exc, drf.ParseError):
        # The body as a whole is unreadable: one body-level detail (field null), like other body errors.
        return 400, error_body("VALIDATION_ERROR", str(exc.detail), [{"field": None, "message": str(exc.detail)}]), {}
    if isinstance(exc, drf.NotAuthenticated):
        return 401, error_body(errors.MissingAuth.error_code, str(errors.MissingAuth.default_detail)), {}
    if isinstance(exc, drf.AuthenticationFailed):
        return 401, error_body(errors.InvalidApiKey.error_code, str(exc.detail)), {}
    if isinstance(exc, drf.PermissionDenied | DjangoPermissionDenied):
        message = str(getattr(exc, "detail", "")) or str(errors.Forbidden.default_detail)
        return 403, error_body(errors.Forbidden.error_code, message), {}
    if isinstance(exc, drf.NotFound | Http404):
        return 404, error_body("NOT_FOUND", "Not found."), {}
    if isinstance(exc, drf.MethodNotAllowed):
        return 405, error_body("METHOD_NOT_ALLOWED", str(exc.detail)), {}
    if isinstance(exc, drf.NotAcceptable):
        return 406, error_body("NOT_ACCEPTABLE", str(exc.detail)), {}
    if isinstance(exc, drf.UnsupportedMediaType):
        message = f"{exc.detail} Send JSON with 'Content-Type: application/json'."
        return 415, error_body("UNSUPPORTED_MEDIA_TYPE", message), {}
    if isinstance(exc, drf.Throttled):
        wait = max(1, int(exc.wait or 1))
        return 429, error_body("RATE_LIMITED", str(exc.detail), retry_after=wait), {"Retry-After": str(wait)}
    if isinstance(exc, SuspiciousOperation):
        status_code, code, message = suspicious_request(exc)
        details = [{"field": None, "message": message}] if status_code == 400 else None
        return status_code, error_body(code, message, details), {}
    if isinstance(exc, IntegrityError):
        return 409, error_body("CONFLICT", str(errors.Conflict.default_detail)), {}
    if isinstance(exc, OperationalError | InterfaceError):
        # The driver's message goes to the log only (the client gets the envelope): without it an
        # operator cannot tell a down server from a dropped connection or a timeout.
        reason = " ".join(str(exc).split())[:300]
        logger.warning(
            "database unavailable (request %s): %s: %s", current_request_id(), exc.__class__.__name__, reason
        )
        headers = {"Retry-After": str(DB_RETRY_AFTER_SECONDS)}
        return 503, error_body("SERVICE_UNAVAILABLE", str(errors.ServiceUnavailable.default_detail)), headers
    raise exc


def exception_handler(exc: Exception, context: dict) -> Response:
    try:
        status_code, body, headers = _translate(exc)
    except Exception:
        if isinstance(exc, DatabaseError):
            logger.exception("database error (request %s)", current_request_id())
        else:
            logger.exception("unhandled error (request %s)", current_request_id())
        status_code, body, headers = 500, error_body("INTERNAL_ERROR", "Internal server error."), {}
    if status_code == 401:
        headers = {**headers, "WWW-Authenticate": "Bearer"}
    response = Response(body, status=status_code, headers=headers)
    response.exception = True
    return response
