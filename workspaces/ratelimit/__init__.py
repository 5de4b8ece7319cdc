"""Per-workspace plan rate limits (contract §6): a daily quota that resets at midnight UTC and
a burst limit over any sliding 1-second window.

- `clock`: the injectable time source.
- `decision`: one request's outcome, its headers and its 429.
- `stores`: the counters (Redis script, or in-process).
- `limiter`: store selection, fail-open handling, `rate_limit_hit` and `daily_usage`.
- `throttles`: the DRF throttle; `middleware`: the response headers.
See docs/rate-limits.md.
"""

from workspaces.ratelimit.limiter import daily_usage

__all__ = ["daily_usage"]
