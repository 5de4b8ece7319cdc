"""The current request's `req_` id, readable anywhere (logs, renderers, error handlers)."""

from contextvars import ContextVar

from nodestash.ids import random_base62

REQUEST_ID_LENGTH = 24

_request_id: ContextVar[str | None] = ContextVar("nodestash_request_id", default=None)


def new_request_id() -> str:
    return f"req_{random_base62(REQUEST_ID_LENGTH)}"


def current_request_id() -> str | None:
    return _request_id.get()


def bind_request_id(request_id: str):
    """Make `request_id` current; returns the token to pass to `unbind_request_id`."""
    return _request_id.set(request_id)


def unbind_request_id(token) -> None:
    _request_id.reset(token)
