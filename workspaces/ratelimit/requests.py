"""A request's place in the limiter: the decision it got, or the answer it still waits for.

The throttle leaves a read's answer pending when the view may run meanwhile (throttles.py);
`read_pending` reads it when the response is finalized, and the headers middleware (`settle`)
reads whatever is left, so every counted request ends with its answer read and its decision on the request.

`recent_refusals` remembers, per process, the workspaces refused lately and until when their
Retry-After runs: a refused read whose view already ran did that work for nothing, so while a
workspace is being refused its reads wait for the answer before the view, as writes always do.
"""

import threading
import time

from workspaces.ratelimit.decision import Decision
from workspaces.ratelimit.limiter import PendingDecision

DECISION_ATTRIBUTE = "rate_limit"
PENDING_ATTRIBUTE = "rate_limit_pending"


class RecentRefusals:
    def __init__(self):
        self._lock = threading.Lock()
        self._until: dict[str, float] = {}  # workspace id → monotonic time its refusal ends

    def remember(self, workspace_id: str, seconds: int) -> None:
        with self._lock:
            self._until[workspace_id] = time.monotonic() + seconds

    def holds(self, workspace_id: str) -> bool:
        with self._lock:
            until = self._until.get(workspace_id)
            if until is not None and time.monotonic() >= until:
                del self._until[workspace_id]
                until = None
        return until is not None

    def clear(self) -> None:
        with self._lock:
            self._until.clear()


recent_refusals = RecentRefusals()


def record(request, workspace_id: str, decision: Decision | None) -> Decision | None:
    """Keep the decision on the (Django) request for the headers; remember a refusal."""
    if decision is not None:
        setattr(request, DECISION_ATTRIBUTE, decision)
        if not decision.admitted:
            recent_refusals.remember(workspace_id, decision.retry_after)
    return decision


def defer(request, workspace_id: str, pending: PendingDecision) -> None:
    setattr(request, PENDING_ATTRIBUTE, (workspace_id, pending))


def read_pending(request) -> Decision | None:
    """The decision of an answer left pending, read now (once); None when none was pending."""
    workspace_id, pending = request.__dict__.pop(PENDING_ATTRIBUTE, (None, None))
    return None if pending is None else record(request, workspace_id, pending.result())


def settle(request) -> Decision | None:
    """The request's decision, reading a pending answer first."""
    read_pending(request)
    return getattr(request, DECISION_ATTRIBUTE, None)
