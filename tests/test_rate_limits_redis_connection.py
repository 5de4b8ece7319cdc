"""The limiter's own Redis connection (workspaces/ratelimit/stores.py, RedisStore).

It bypasses redis-py's pooled client, so what the pool would do for it is checked here against
real servers: a Redis restart (the connection closed under it, the script cache emptied), threads
sharing one store, processes forked with a connection already open.
"""

import shutil
import socket
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import pytest
import redis
from django.core.cache import caches
from django.test import override_settings

from benchmarks.round_trips import RoundTripCountingConnection
from benchmarks.servers import free_port
from nodestash.ids import random_base62
from tests.helpers import make_tenant, redis_caches
from workspaces.plans import get_plan
from workspaces.ratelimit import limiter
from workspaces.ratelimit.decision import ADMITTED, utc_day
from workspaces.ratelimit.redis_store import RedisStore

pytestmark = pytest.mark.redis

PATH = "/v1/billing/plans"


class PrivateRedis:
    """A redis-server of this test's own on a free port (restarting the shared one would disturb
    every other test running against it)."""

    def __init__(self):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self) -> None:
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while True:
            try:
                redis.Redis.from_url(self.url, socket_timeout=0.5).ping()
                return
            except redis.ConnectionError:
                assert self.process.poll() is None and time.monotonic() < deadline, "redis-server did not start"
                time.sleep(0.05)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)

    def restart(self) -> None:
        self.stop()
        self.start()


@contextmanager
def private_redis():
    if shutil.which("redis-server") is None:
        pytest.skip("needs the redis-server binary to run a Redis of its own")
    server = PrivateRedis()
    server.start()
    try:
        yield server
    finally:
        server.stop()


def counting_cache_at(url: str) -> dict:
    return redis_caches(url, connection_class=RoundTripCountingConnection)


def test_a_redis_restart_costs_no_request_its_count(caplog):
    """The connection closed under the limiter is reopened and the lost script loaded again,
    inside the first request after the restart: it is counted, not served unlimited."""
    tenant = make_tenant("Restarted", plan="free")
    with private_redis() as server, override_settings(CACHES=counting_cache_at(server.url)):
        assert tenant.api.get(PATH)["X-RateLimit-Remaining"] == str(get_plan("free").daily_limit - 1)
        server.restart()  # nothing persisted: the new server starts counting from zero
        after_restart = tenant.api.get(PATH)
        before = RoundTripCountingConnection.sent
        steady = tenant.api.get(PATH)
        steady_trips = RoundTripCountingConnection.sent - before
        usage = limiter.daily_usage(tenant.workspace.pk)
    assert after_restart.status_code == 200 and steady.status_code == 200
    assert after_restart["X-RateLimit-Remaining"] == str(get_plan("free").daily_limit - 1)
    assert steady["X-RateLimit-Remaining"] == str(get_plan("free").daily_limit - 2)
    assert usage == 2
    assert steady_trips == 1  # the script is cached on the new server again
    assert "counter store unavailable" not in caplog.text


def test_a_stopped_redis_fails_open_and_the_restarted_one_is_used_again(caplog):
    tenant = make_tenant("Outage", plan="free")
    with private_redis() as server, override_settings(CACHES=counting_cache_at(server.url)):
        assert tenant.api.get(PATH).status_code == 200
        server.stop()
        during = tenant.api.get(PATH)
        server.start()
        limiter.health.reset()  # skip the 5 s pause before the store is tried again
        after = tenant.api.get(PATH)
    assert during.status_code == 200 and "X-RateLimit-Remaining" not in during
    assert "counter store unavailable" in caplog.text
    assert after["X-RateLimit-Remaining"] == str(get_plan("free").daily_limit - 1)


def test_threads_sharing_one_store_each_get_their_own_replies():
    """One store used from many threads at once: every call gets its own reply (a shared socket
    would hand replies to the wrong caller or fail), and the count is exact."""
    store = RedisStore(caches["default"])
    plan = get_plan("enterprise")
    workspace_id = f"ws_{random_base62(21)}"
    day, reset_at = utc_day(time.time())

    def hit(index: int):
        now_us = int(time.time() * 1_000_000)
        return store.begin_hit(workspace_id, plan, now_us, day, int(reset_at - time.time()) + 3600).result()

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(hit, range(400)))
    assert {outcome for outcome, *_ in results} == {ADMITTED}
    assert sorted(used_today for _, used_today, _, _ in results) == list(range(1, 401))
    assert store.used_today(workspace_id, day) == 400


def test_a_pending_reply_is_read_before_the_connection_is_used_again():
    """A hit whose reply nobody read yet cannot swallow the reply of the next command."""
    store = RedisStore(caches["default"])
    plan = get_plan("enterprise")
    workspace_id = f"ws_{random_base62(21)}"
    day, _ = utc_day(time.time())

    def begin():
        return store.begin_hit(workspace_id, plan, int(time.time() * 1_000_000), day, 3600)

    first = begin()
    assert not first.answered
    assert store.used_today(workspace_id, day) == 1  # the count is the first hit's, read in order
    assert first.answered
    second = begin()
    third = begin()  # reads the second's reply first
    assert [hit.result()[1] for hit in (third, first, second)] == [3, 1, 2]
    store.ping()
    assert store.used_today(workspace_id, day) == 3


def test_a_redis_that_never_answers_holds_a_request_only_for_the_socket_timeout(caplog):
    """The connection carries the cache's timeouts (0.5 s), not redis-py's default of none."""
    tenant = make_tenant("Hanging", plan="free")
    with socket.socket() as silent:  # accepts connections (the backlog does) and never replies
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)
        with override_settings(CACHES=counting_cache_at(f"redis://127.0.0.1:{silent.getsockname()[1]}/0")):
            started = time.monotonic()
            response = tenant.api.get(PATH)
            elapsed = time.monotonic() - started
    assert response.status_code == 200 and "X-RateLimit-Remaining" not in response
    assert elapsed < 3  # hung for good without a timeout
    assert "TimeoutError" in caplog.text
