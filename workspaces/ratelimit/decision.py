"""What the limiter decided for one request, and how that reads to a client (contract §6)."""

import functools
import math
import time
from dataclasses import dataclass

from django.conf import settings

from nodestash.errors import RateLimited
from workspaces.plans import Plan

MICROS = 1_000_000
BURST_WINDOW_US = MICROS  # the burst limit holds over any sliding window of this length
SECONDS_PER_DAY = 86_400

ADMITTED = "admitted"
DAILY_EXCEEDED = "daily"
BURST_EXCEEDED = "burst"


def utc_day(now: float) -> tuple[str, int]:
    """`now`'s UTC day as YYYYMMDD, and the Unix second its next midnight falls on.

    Unix time has no leap seconds, so every UTC day starts at a multiple of 86,400: integer
    arithmetic instead of datetime objects on every request.
    """
    day_start = int(now // SECONDS_PER_DAY) * SECONDS_PER_DAY
    return _day_name(day_start), day_start + SECONDS_PER_DAY


@functools.lru_cache(maxsize=4)
def _day_name(day_start: int) -> str:
    return time.strftime("%Y%m%d", time.gmtime(day_start))


@dataclass(frozen=True)
class Decision:
    """Counts are after this request: `used_today` and `in_window` include it when admitted."""

    plan: Plan
    outcome: str
    used_today: int
    in_window: int
    reset_at: int  # Unix seconds of the next UTC midnight
    retry_after: int = 0  # whole seconds, set when rejected

    @property
    def admitted(self) -> bool:
        return self.outcome == ADMITTED

    def headers(self) -> dict[str, str]:
        headers = {}
        if self.plan.daily_limit is not None:
            headers["X-RateLimit-Limit"] = str(self.plan.daily_limit)
            headers["X-RateLimit-Remaining"] = str(max(0, self.plan.daily_limit - self.used_today))
            headers["X-RateLimit-Reset"] = str(self.reset_at)
        headers["X-RateLimit-Burst-Limit"] = str(self.plan.burst_limit)
        headers["X-RateLimit-Burst-Remaining"] = str(max(0, self.plan.burst_limit - self.in_window))
        return headers

    def error(self) -> RateLimited:
        if self.outcome == DAILY_EXCEEDED:
            message = f"Daily limit of {self.plan.daily_limit:,} requests exceeded for the {self.plan.name} plan."
        else:
            message = (
                f"Per-second burst limit of {self.plan.burst_limit:,} requests exceeded for the {self.plan.name} plan."
            )
        return RateLimited(
            message,
            extra={"retry_after": self.retry_after, "upgrade_url": settings.UPGRADE_URL},
            headers={"Retry-After": str(self.retry_after)},
        )


def whole_seconds_until(moment_us: int, now_us: int) -> int:
    """`Retry-After` is whole seconds and at least 1."""
    return max(1, math.ceil((moment_us - now_us) / MICROS))
