"""Per-workspace plan rate limits (contract §6): a daily quota that resets at midnight UTC and
a burst limit over any sliding 1-second window.

- `clock`: the injectable time source.
- `decision`: one request's outcome, its headers and its 429.
- `stores`: the rule and the in-process counters; `redis_store`: the Redis script and connection.
- `limiter`: store selection, fail-open handling, `rate_limit_begin`, `daily_usage`.
- `requests`: a request's pending answer and decision; `throttles`: the DRF throttle (when the
  answer is read); `views`: the late settling of reads; `middleware`: the response headers.
See docs/rate-limits.md.
"""

from workspaces.ratelimit.limiter import daily_usage

__all__ = ["daily_usage"]
