"""Count a request against its workspace's plan, and read today's usage.

The store follows the cache: Redis when `REDIS_URL` configures a RedisCache, else this
process's memory. If the store fails, the request is served (fail open: an outage of the
counter store must not become an outage of the API), the failure is logged at most once per
FAILURE_LOG_INTERVAL, and the store is left alone for STORE_RETRY_SECONDS so a dead server
does not cost every request a connection attempt.
"""

import logging
import threading
import time

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.core.signals import setting_changed
from django.dispatch import receiver

from workspaces.plans import Plan
from workspaces.ratelimit import clock
from workspaces.ratelimit.decision import (
    BURST_EXCEEDED,
    BURST_WINDOW_US,
    DAILY_EXCEEDED,
    MICROS,
    Decision,
    utc_day,
    whole_seconds_until,
)
from workspaces.ratelimit.redis_store import RedisStore
from workspaces.ratelimit.stores import LocalStore

logger = logging.getLogger("nodestash.ratelimit")

FAILURE_LOG_INTERVAL = 60.0
STORE_RETRY_SECONDS = 5.0
DAILY_KEY_GRACE_SECONDS = 3600  # a day's counter outlives its day by this much

local_store = LocalStore()


class StoreHealth:
    """Remembers a failing store: when to try it again and when the failure was last logged."""

    def __init__(self):
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        self.retry_at = 0.0
        self.logged_at = -FAILURE_LOG_INTERVAL

    def available(self) -> bool:
        return time.monotonic() >= self.retry_at

    def failed(self, exc: Exception) -> None:
        moment = time.monotonic()
        with self._lock:
            self.retry_at = moment + STORE_RETRY_SECONDS
            if moment - self.logged_at < FAILURE_LOG_INTERVAL:
                return
            self.logged_at = moment
        logger.warning(
            "rate-limit counter store unavailable (%s: %s); serving requests without limits, "
            "retrying every %ss, next log in %ss",
            exc.__class__.__name__,
            exc,
            STORE_RETRY_SECONDS,
            FAILURE_LOG_INTERVAL,
        )


health = StoreHealth()


class StoreSlot(threading.local):
    """This thread's store, for as long as the cache settings stay as they were.

    Looking the default cache up (`caches["default"]`, a context-local lookup) costs more than the
    rest of a request's bookkeeping here, and production never changes its settings; tests do
    (override_settings), and a change of CACHES makes every thread build its store again.
    """

    settings_version = -1
    store = None


_slot = StoreSlot()
_cache_settings_version = 0


@receiver(setting_changed)
def _cache_settings_changed(setting, **kwargs):
    global _cache_settings_version
    if setting == "CACHES":
        _cache_settings_version += 1


def current_store():
    """The store behind the default cache: Redis when it is a RedisCache, else this process's memory."""
    if _slot.settings_version != _cache_settings_version:
        cache = caches["default"]
        _slot.store = RedisStore(cache) if isinstance(cache, RedisCache) else local_store
        _slot.settings_version = _cache_settings_version
    return _slot.store


class PendingDecision:
    """One request counted by the store; its Decision once the store's answer is read."""

    def __init__(self, plan: Plan, hit, store_errors: tuple, now_us: int, reset_at: int):
        self._plan, self._hit, self._store_errors = plan, hit, store_errors
        self._now_us, self._reset_at = now_us, reset_at
        self._decision: Decision | None = None
        self._read = False

    @property
    def answered(self) -> bool:
        """The answer is here (in process: always); reading it costs no wait."""
        return self._hit.answered

    def result(self) -> Decision | None:
        """The decision; None when the store failed (the request is then served)."""
        if not self._read:
            self._read = True
            self._decision = self._decide()
        return self._decision

    def _decide(self) -> Decision | None:
        try:
            outcome, used_today, in_window, oldest_us = self._hit.result()
        except self._store_errors as exc:
            health.failed(exc)
            return None
        retry_after = 0
        if outcome == DAILY_EXCEEDED:
            retry_after = whole_seconds_until(self._reset_at * MICROS, self._now_us)
        elif outcome == BURST_EXCEEDED:
            retry_after = whole_seconds_until(oldest_us + BURST_WINDOW_US, self._now_us)
        return Decision(self._plan, outcome, used_today, in_window, self._reset_at, retry_after)


def rate_limit_begin(workspace_id: str, plan: Plan) -> PendingDecision | None:
    """Count one request, reading the store's answer only when asked; None when the store is
    unavailable (the request is then served)."""
    if not health.available():
        return None
    now = clock.now()
    now_us = int(now * MICROS)
    day, reset_at = utc_day(now)
    store = current_store()
    try:
        hit = store.begin_hit(workspace_id, plan, now_us, day, int(reset_at - now) + DAILY_KEY_GRACE_SECONDS)
    except store.errors as exc:
        health.failed(exc)
        return None
    return PendingDecision(plan, hit, store.errors, now_us, reset_at)


def daily_usage(workspace_id: str) -> int:
    """Requests admitted today (UTC) for the workspace; 0 when the store cannot say."""
    if not health.available():
        return 0
    store = current_store()
    try:
        return store.used_today(workspace_id, utc_day(clock.now())[0])
    except store.errors as exc:
        health.failed(exc)
        return 0
