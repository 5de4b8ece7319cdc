"""Where the counters live: Redis (shared by every process) or this process's memory.

Both stores implement the same rule in one atomic step per request:
1. the daily count for the workspace's UTC day is checked against the plan's daily limit;
2. admitted requests of the last second are counted (a sliding log, not fixed buckets);
3. only if both have room is the request recorded in both; rejected requests count nowhere.

A store's `hit` returns `(outcome, used_today, in_window, oldest_us)`: counts after the request,
and for a burst rejection the time of the oldest admitted request still inside the window.

Burst entries younger than TRIM_US are kept and every entry later than `now - 1 s` is counted,
including ones stamped by a process whose clock read came a moment later: so two processes whose
scripts run in the other order than their clock reads still see each other, and no 1-second
window of admitted timestamps ever holds more than the burst limit.
"""

import bisect
import hashlib
import os
import secrets
import threading
from collections import defaultdict

from redis.exceptions import ConnectionError, NoScriptError, RedisError

from workspaces.ratelimit.decision import ADMITTED, BURST_EXCEEDED, BURST_WINDOW_US, DAILY_EXCEEDED, MICROS

TRIM_US = 5 * MICROS
UNLIMITED = -1

# KEYS: burst sorted set, daily counter. ARGV: now_us, window start ("(" exclusive), trim bound,
# burst limit, daily limit (-1: unlimited), unique member, daily key's time to live (seconds:
# relative, so a test clock far from the server's works too).
HIT_SCRIPT = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[3])
local in_window = redis.call('ZCOUNT', KEYS[1], ARGV[2], '+inf')
local used_today = tonumber(redis.call('GET', KEYS[2]) or '0')
local daily_limit = tonumber(ARGV[5])
if daily_limit >= 0 and used_today >= daily_limit then
  return {'daily', used_today, in_window, '0'}
end
if in_window >= tonumber(ARGV[4]) then
  local oldest = redis.call('ZRANGEBYSCORE', KEYS[1], ARGV[2], '+inf', 'WITHSCORES', 'LIMIT', 0, 1)
  return {'burst', used_today, in_window, oldest[2]}
end
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[6])
redis.call('PEXPIRE', KEYS[1], {trim_ms})
used_today = redis.call('INCR', KEYS[2])
if used_today == 1 then
  redis.call('EXPIRE', KEYS[2], ARGV[7])
end
return {'admitted', used_today, in_window + 1, '0'}
""".replace("{trim_ms}", str(TRIM_US // 1000))
HIT_SCRIPT_SHA = hashlib.sha1(HIT_SCRIPT.encode()).hexdigest()


def daily_limit_arg(limit: int | None) -> int:
    return UNLIMITED if limit is None else limit


class RedisStore:
    """One EVALSHA per request, written straight to a connection this store keeps.

    redis-py's client path (pool checkout and release, retries, event and observability hooks)
    costs about as much CPU as the round trip itself, on every request; the limiter needs none of
    it. The connection is built from the cache's pool settings (URL, timeouts, connection class),
    belongs to one thread and one process (a forked child or another thread opens its own), and
    reconnects on the next call after any error. A call on an open connection that the server
    has closed meanwhile (a restart, an idle timeout) reconnects and is sent again at once;
    everything else surfaces as a RedisError, which the limiter treats as the store being down.

    Keys carry the workspace as a hash tag (`{ws_…}`) so both live in one Redis Cluster slot.
    """

    errors = (RedisError,)

    def __init__(self, cache):
        self.client = cache._cache.get_client(write=True)
        self.key_prefix = cache.make_key("rl:")  # the cache's KEY_PREFIX and version, made once
        self._owned = threading.local()

    def keys(self, workspace_id: str, day: str) -> tuple[str, str]:
        return f"{self.key_prefix}{{{workspace_id}}}:burst", f"{self.key_prefix}{{{workspace_id}}}:day:{day}"

    def hit(self, workspace_id, plan, now_us: int, day: str, day_ttl: int):
        arguments = (
            2,
            *self.keys(workspace_id, day),
            now_us,
            f"({now_us - BURST_WINDOW_US}",
            now_us - TRIM_US,
            plan.burst_limit,
            daily_limit_arg(plan.daily_limit),
            f"{now_us}:{secrets.token_hex(6)}",  # unique even for equal timestamps
            day_ttl,
        )
        try:
            reply = self._call("EVALSHA", HIT_SCRIPT_SHA, *arguments)
        except NoScriptError:  # a new or flushed server: EVAL runs the script and caches it there
            reply = self._call("EVAL", HIT_SCRIPT, *arguments)
        outcome, used_today, in_window, oldest = reply
        return outcome.decode(), int(used_today), int(in_window), int(float(oldest))

    def used_today(self, workspace_id: str, day: str) -> int:
        return int(self.client.get(self.keys(workspace_id, day)[1]) or 0)

    def ping(self) -> None:
        """One round trip on the limiter's own connection (readiness)."""
        self._call("PING")

    def _call(self, *command):
        connection = self._connection()
        was_open = connection.is_connected
        try:
            return self._round_trip(connection, command)
        except ConnectionError:
            if not was_open:
                raise
            return self._round_trip(connection, command)  # closed by the server: reconnect once

    @staticmethod
    def _round_trip(connection, command):
        connection.send_command(*command)
        return connection.read_response()

    def _connection(self):
        owned, pid = self._owned, os.getpid()
        if getattr(owned, "pid", None) != pid:
            pool = self.client.connection_pool
            owned.connection, owned.pid = pool.connection_class(**pool.connection_kwargs), pid
        return owned.connection


class LocalStore:
    """In-process counters for the embedded default: exact within one process, per process
    across several (each gunicorn worker would count on its own)."""

    errors = ()

    def __init__(self):
        self._lock = threading.Lock()
        self._admitted: dict[str, list[int]] = defaultdict(list)  # sorted admission times
        self._daily: dict[str, tuple[str, int]] = {}

    def hit(self, workspace_id, plan, now_us: int, day: str, day_ttl: int):
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
