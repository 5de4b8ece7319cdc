"""The DRF throttle that applies the plan limits (registered in DEFAULT_THROTTLE_CLASSES).

DRF runs throttles after authentication and permissions, which gives the contract's order:
401, then 403, then 429. The count is keyed on the workspace, never the key or the address,
and the plan is read from the workspace authentication just loaded, so an operator's plan
change applies on the next request. Requests without a workspace (signup, docs) pass uncounted.

When the answer is read: a write waits for it here, before the view (a refused write must do
nothing). A read (GET, HEAD, OPTIONS) on a view that settles late (views.py) while its workspace
is not being refused sends the count and goes on: the round trip to Redis overlaps the view's own
work, and the answer is read when the response is finalized; a refusal then replaces the
response with the 429, so the client gets exactly what waiting would have given it.
"""

from rest_framework.permissions import SAFE_METHODS
from rest_framework.throttling import BaseThrottle

from workspaces.ratelimit.limiter import rate_limit_begin
from workspaces.ratelimit.requests import defer, recent_refusals, record
from workspaces.tenancy.principal import Principal


class PlanRateThrottle(BaseThrottle):
    def allow_request(self, request, view) -> bool:
        if not isinstance(request.auth, Principal):
            return True
        workspace = request.auth.workspace
        pending = rate_limit_begin(workspace.pk, workspace.plan_limits)
        if pending is None:
            return True
        if not pending.answered and self.may_settle_late(request, view, workspace.pk):
            defer(request._request, workspace.pk, pending)
            return True
        decision = record(request._request, workspace.pk, pending.result())
        if decision is not None and not decision.admitted:
            raise decision.error()
        return True

    @staticmethod
    def may_settle_late(request, view, workspace_id: str) -> bool:
        return (
            request.method in SAFE_METHODS
            and getattr(view, "settles_rate_limit_late", False)
            and not recent_refusals.holds(workspace_id)
        )
