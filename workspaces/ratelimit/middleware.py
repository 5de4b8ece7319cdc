"""Adds the rate-limit headers to every response of a request that reached the limiter.

A middleware rather than a view hook, so that responses produced after the limiter by any
path (a 404 from a lookup, a 400 from a serializer, a 429 from the limiter itself) carry them.
It also reads an answer still pending (a view that failed before finalizing its response), so
no request leaves an unread reply behind on the limiter's connection.
"""

from workspaces.ratelimit.requests import settle


class RateLimitHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        decision = settle(request)
        if decision is not None:
            for name, value in decision.headers().items():
                response[name] = value
        return response
