"""Adds the rate-limit headers to every response of a request that reached the limiter.

A middleware rather than a view hook, so that responses produced after the limiter by any
path (a 404 from a lookup, a 400 from a serializer, a 429 from the limiter itself) carry them.
"""

from workspaces.ratelimit.throttles import REQUEST_ATTRIBUTE


class RateLimitHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        decision = getattr(request, REQUEST_ATTRIBUTE, None)
        if decision is not None:
            for name, value in decision.headers().items():
                response[name] = value
        return response
