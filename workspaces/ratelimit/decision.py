"""What the limiter decided for one request, and how that reads to a client (contract §6)."""

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings

from nodestash.errors import RateLimited
from workspaces.plans import Plan

MICROS = 1_000_000
BURST_WINDOW_US = MICROS  # the burst limit holds over any sliding window of this length

ADMITTED = "admitted"
DAILY_EXCEEDED = "daily"
BURST_EXCEEDED = "burst"


def utc_day(now: float) -> str:
    return datetime.fromtimestamp(now, UTC).strftime("%Y%m%d")


def next_utc_midnight(now: float) -> int:
    today = datetime.fromtimestamp(now, UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return int((today + timedelta(days=1)).timestamp())


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
