"""Middleware that every response passes through: request ids and the body size limit."""

from django.conf import settings

from nodestash.exceptions import error_response
from nodestash.request_ids import bind_request_id, new_request_id, unbind_request_id


class RequestIdMiddleware:
    """Gives each request a fresh `req_` id, sent back in `X-Request-Id` on every response.

    Client-supplied ids are not trusted: a new one is always generated, so logs can rely on it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = new_request_id()
        request.request_id = request_id
        token = bind_request_id(request_id)
        try:
            response = self.get_response(request)
        finally:
            unbind_request_id(token)
        response["X-Request-Id"] = request_id
        return response


class BodySizeLimitMiddleware:
    """Refuses bodies over MAX_REQUEST_BODY_BYTES with 413 before anything reads them.

    Runs before authentication on purpose: an oversized body costs nothing to refuse.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return error_response(400, "VALIDATION_ERROR", "The Content-Length header is not a number.")
        if length > settings.MAX_REQUEST_BODY_BYTES:
            return error_response(413, "PAYLOAD_TOO_LARGE", "The request body is larger than 1 MiB.")
        return self.get_response(request)
