"""The DRF throttle that applies the plan limits (registered in DEFAULT_THROTTLE_CLASSES).

DRF runs throttles after authentication and permissions, which gives the contract's order:
401, then 403, then 429. The count is keyed on the workspace, never the key or the address,
and the plan is read from the workspace authentication just loaded, so an operator's plan
change applies on the next request. Requests without a workspace (signup, docs) pass uncounted.
"""

from rest_framework.throttling import BaseThrottle

from workspaces.ratelimit.limiter import rate_limit_hit
from workspaces.tenancy.principal import Principal

REQUEST_ATTRIBUTE = "rate_limit"


class PlanRateThrottle(BaseThrottle):
    def allow_request(self, request, view) -> bool:
        if not isinstance(request.auth, Principal):
            return True
        workspace = request.auth.workspace
        decision = rate_limit_hit(workspace.pk, workspace.plan_limits)
        if decision is None:
            return True
        # On the Django request, where RateLimitHeadersMiddleware finds it whatever the outcome.
        setattr(request._request, REQUEST_ATTRIBUTE, decision)
        if not decision.admitted:
            raise decision.error()
        return True
