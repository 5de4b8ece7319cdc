"""The workspace the current request acts for.

Authentication sets it; `WorkspaceContextMiddleware` guarantees it is cleared when the
request ends, whatever happened, so a thread or task serving the next request never
inherits it. Code outside requests (commands, tests) uses `activate_workspace`.
"""

from contextlib import contextmanager
from contextvars import ContextVar

_current_workspace: ContextVar = ContextVar("nodestash_current_workspace", default=None)


def current_workspace():
    return _current_workspace.get()


def set_current_workspace(workspace) -> None:
    _current_workspace.set(workspace)


@contextmanager
def activate_workspace(workspace):
    token = _current_workspace.set(workspace)
    try:
        yield workspace
    finally:
        _current_workspace.reset(token)


class WorkspaceContextMiddleware:
    """Runs each request in a fresh workspace context and clears it afterwards."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current_workspace.set(None)
        try:
            return self.get_response(request)
        finally:
            _current_workspace.reset(token)
