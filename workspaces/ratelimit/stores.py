"""Where the counters live: Redis (shared by every process) or this process's memory.

Both stores implement the same rule in one atomic step per request:
1. the daily count for the workspace's UTC day is checked against the plan's daily limit;
2. admitted requests of the last second are counted (a sliding log, not fixed buckets);
3. only if both have room is the request recorded in both; rejected requests count nowhere.

A store's `begin_hit` counts the request and returns a hit whose `result()` is
`(outcome, used_today, in_window, oldest_us)`: counts after the request, and for a burst rejection
the time of the oldest admitted request still inside the window. In process the result is there
at once (`answered`); Redis's arrives with its reply (redis_store.py).

Burst entries younger than TRIM_US are kept and every entry later than `now - 1 s` is counted,
including ones stamped by a process whose clock read came a moment later: so two processes whose
scripts run in the other order than their clock reads still see each other, and no 1-second
window of admitted timestamps ever holds more than the burst limit.
"""

import bisect
import threading
from collections import defaultdict
from dataclasses import dataclass
from typing import ClassVar

from workspaces.ratelimit.decision import ADMITTED, BURST_EXCEEDED, BURST_WINDOW_US, DAILY_EXCEEDED, MICROS

TRIM_US = 5 * MICROS


@dataclass(frozen=True)
class Answered:
    """A hit whose result is known."""

    counts: tuple[str, int, int, int]
    answered: ClassVar[bool] = True

    def result(self) -> tuple[str, int, int, int]:
        return self.counts


class LocalStore:
    """In-process counters for the embedded default: exact within one process, per process
    across several (each gunicorn worker would count on its own)."""

    errors = ()

    def __init__(self):
        self._lock = threading.Lock()
        self._admitted: dict[str, list[int]] = defaultdict(list)  # sorted admission times
        self._daily: dict[str, tuple[str, int]] = {}

    def begin_hit(self, workspace_id, plan, now_us: int, day: str, day_ttl: int) -> Answered:
        return Answered(self._hit(workspace_id, plan, now_us, day))

    def _hit(self, workspace_id, plan, now_us: int, day: str) -> tuple[str, int, int, int]:
        with self._lock:
            admitted = self._admitted[workspace_id]
            del admitted[: bisect.bisect_right(admitted, now_us - TRIM_US)]
            window_start = bisect.bisect_right(admitted, now_us - BURST_WINDOW_US)
            in_window = len(admitted) - window_start
            used_today = self._used_today(workspace_id, day)
            if plan.daily_limit is not None and used_today >= plan.daily_limit:
                return DAILY_EXCEEDED, used_today, in_window, 0
            if in_window >= plan.burst_limit:
                return BURST_EXCEEDED, used_today, in_window, admitted[window_start]
            bisect.insort(admitted, now_us)
            self._daily[workspace_id] = (day, used_today + 1)
            return ADMITTED, used_today + 1, in_window + 1, 0

    def _used_today(self, workspace_id: str, day: str) -> int:
        counted_day, count = self._daily.get(workspace_id, (day, 0))
        return count if counted_day == day else 0

    def used_today(self, workspace_id: str, day: str) -> int:
        with self._lock:
            return self._used_today(workspace_id, day)

    def ping(self) -> None:
        """Always ready: the counters are this process's memory."""

    def reset(self) -> None:
        with self._lock:
            self._admitted.clear()
            self._daily.clear()
