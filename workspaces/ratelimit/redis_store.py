"""The Redis store: both limits in one Lua script, one round trip per request.

The script runs atomically on the server, so every process and server counting for a workspace
sees one sequence of decisions (stores.py states the rule). It is sent as EVALSHA on a connection
the store keeps for itself: redis-py's pooled client path (checkout and release, retries, event
and observability hooks) costs about as much CPU as the round trip itself, and the limiter needs
none of it.

A hit is sent when the request reaches the limiter and its reply read when the decision is
needed (`PendingHit.result()`), so a read can let the round trip overlap the view's own work
(throttles.py decides when). The connection belongs to one thread and one process (a forked
child or another thread opens its own); it holds at most one unread reply, and any other use of
it reads that reply first, so replies can never be handed to the wrong caller.
"""

import hashlib
import itertools
import os
import secrets
import threading

from redis.exceptions import ConnectionError, NoScriptError, RedisError

from workspaces.ratelimit.decision import BURST_WINDOW_US
from workspaces.ratelimit.stores import TRIM_US

UNLIMITED = -1


class ProcessIdentity:
    """What a forked child must not inherit: a fork count (a child opens its own connections) and
    the prefix that makes each burst entry's member unique across processes. Kept up to date by a
    fork hook, so a request pays neither a getpid() nor a getrandom() system call."""

    def __init__(self):
        self.forks = 0
        self._new_member_prefix()
        os.register_at_fork(after_in_child=self._forked)

    def _new_member_prefix(self) -> None:
        self.member_prefix = secrets.token_hex(6)
        self.sequence = itertools.count()  # next() is atomic under the GIL

    def _forked(self) -> None:
        self.forks += 1
        self._new_member_prefix()

    def unique_member(self, now_us: int) -> str:
        return f"{now_us}:{self.member_prefix}:{next(self.sequence)}"


process = ProcessIdentity()

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


HIT_SCRIPT_SHA = hashlib.sha1(HIT_SCRIPT.encode()).hexdigest()


class PendingHit:
    """A hit sent on this thread's connection; `result()` reads its reply once (on the same thread)."""

    def __init__(self, store: "RedisStore", arguments: tuple, sent_on_open_connection: bool):
        self._store = store
        self.arguments = arguments
        self.sent_on_open_connection = sent_on_open_connection
        self.answered = False
        self._reply = None
        self._error: RedisError | None = None

    def result(self) -> tuple[str, int, int, int]:
        if not self.answered:
            self._store.read_reply(self)
        if self._error is not None:
            raise self._error
        outcome, used_today, in_window, oldest = self._reply
        return outcome.decode(), int(used_today), int(in_window), int(float(oldest))

    def settle(self, reply=None, error: RedisError | None = None) -> None:
        self._reply, self._error, self.answered = reply, error, True


class RedisStore:
    """Keys carry the workspace as a hash tag (`{ws_…}`) so both live in one Redis Cluster slot.

    Errors surface as RedisError, which the limiter treats as the store being down; a call on an
    open connection that the server has closed meanwhile (a restart, an idle timeout) reconnects
    and is sent again first, and a server that lost the script (a restart, SCRIPT FLUSH) gets it
    with EVAL.
    """

    errors = (RedisError,)

    def __init__(self, cache):
        self.client = cache._cache.get_client(write=True)  # for its connection settings
        self.key_prefix = cache.make_key("rl:")  # the cache's KEY_PREFIX and version, made once
        self._owned = threading.local()

    def keys(self, workspace_id: str, day: str) -> tuple[str, str]:
        return f"{self.key_prefix}{{{workspace_id}}}:burst", f"{self.key_prefix}{{{workspace_id}}}:day:{day}"

    def begin_hit(self, workspace_id, plan, now_us: int, day: str, day_ttl: int) -> PendingHit:
        arguments = (
            2,
            *self.keys(workspace_id, day),
            now_us,
            f"({now_us - BURST_WINDOW_US}",
            now_us - TRIM_US,
            plan.burst_limit,
            UNLIMITED if plan.daily_limit is None else plan.daily_limit,
            process.unique_member(now_us),  # unique even for equal timestamps
            day_ttl,
        )
        connection = self._connection()
        pending = PendingHit(self, arguments, connection.is_connected)
        self._send(connection, ("EVALSHA", HIT_SCRIPT_SHA, *arguments), pending.sent_on_open_connection)
        self._owned.pending = pending
        return pending

    def read_reply(self, pending: PendingHit) -> None:
        self._owned.pending = None
        try:
            pending.settle(reply=self._hit_reply(pending))
        except RedisError as exc:
            pending.settle(error=exc)

    def used_today(self, workspace_id: str, day: str) -> int:
        return int(self._call("GET", self.keys(workspace_id, day)[1]) or 0)

    def ping(self) -> None:
        """One round trip on the limiter's own connection (readiness)."""
        self._call("PING")

    def _hit_reply(self, pending: PendingHit):
        try:
            return self._connection().read_response()
        except NoScriptError:
            return self._call("EVAL", HIT_SCRIPT, *pending.arguments)
        except ConnectionError:
            if not pending.sent_on_open_connection:
                raise
        return self._evaluate(pending.arguments)  # closed by the server before it answered: again

    def _evaluate(self, arguments: tuple):
        try:
            return self._call("EVALSHA", HIT_SCRIPT_SHA, *arguments)
        except NoScriptError:  # a new or flushed server: EVAL runs the script and caches it there
            return self._call("EVAL", HIT_SCRIPT, *arguments)

    def _call(self, *command):
        connection = self._connection()
        was_open = connection.is_connected
        try:
            connection.send_command(*command)
            return connection.read_response()
        except ConnectionError:
            if not was_open:
                raise
        connection.send_command(*command)  # closed by the server: sending reconnects
        return connection.read_response()

    @staticmethod
    def _send(connection, command: tuple, was_open: bool) -> None:
        try:
            connection.send_command(*command)
        except ConnectionError:
            if not was_open:
                raise
            connection.send_command(*command)  # closed by the server: send reconnects

    def _connection(self):
        """This thread's connection, with any unread reply read first."""
        owned = self._owned
        if getattr(owned, "forks", None) != process.forks:
            pool = self.client.connection_pool
            owned.connection, owned.pending = pool.connection_class(**pool.connection_kwargs), None
            owned.forks = process.forks
        if owned.pending is not None:
            self.read_reply(owned.pending)
        return owned.connection
