"""The view side of a read whose rate-limit answer arrives while the view runs (throttles.py)."""

from workspaces.ratelimit.requests import read_pending


class SettlesRateLimitLate:
    """For API views: reads the pending answer before the response leaves the view, and answers
    a refusal with the 429 (through the view's own exception handling, so the body, headers and
    renderer are those of a refusal raised by the throttle, which needs nothing more here)."""

    settles_rate_limit_late = True

    def finalize_response(self, request, response, *args, **kwargs):
        decision = read_pending(request._request)
        if decision is not None and not decision.admitted:
            response = self.handle_exception(decision.error())
        return super().finalize_response(request, response, *args, **kwargs)
