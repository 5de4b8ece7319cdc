"""The Redis store under real concurrency: several processes hammer one workspace at once.

Each process stamps its requests with the time it hands the limiter, so the check is exact:
over any 1-second window of admitted timestamps no more than the burst limit, and the daily
counter equals the number of admitted requests, no more, no fewer.
"""

import bisect
import math
import multiprocessing
import tempfile
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings

from benchmarks.round_trips import RoundTripCountingConnection, counting_caches
from benchmarks.servers import free_port, gunicorn
from nodestash.ids import random_base62
from tests.helpers import current_database_url, make_tenant
from workspaces.plans import Plan, get_plan
from workspaces.ratelimit import limiter
from workspaces.ratelimit.clock import use_clock
from workspaces.ratelimit.decision import ADMITTED, BURST_EXCEEDED, DAILY_EXCEEDED, MICROS

pytestmark = pytest.mark.redis

PROCESSES = 4


def hammer(workspace_id: str, plan: Plan, start_at: float, duration: float, max_hits: int) -> list[tuple[int, str]]:
    """Runs in a forked process: hit the limiter as fast as possible, return (time_us, outcome)."""
    time.sleep(max(0.0, start_at - time.time()))
    results = []
    while time.time() < start_at + duration and len(results) < max_hits:
        stamp = time.time()
        with use_clock(lambda stamp=stamp: stamp):
            pending = limiter.rate_limit_begin(workspace_id, plan)
        decision = pending and pending.result()
        assert decision is not None, "the counter store failed"
        results.append((int(stamp * MICROS), decision.outcome))
    return results


def run_in_processes(plan: Plan, duration: float, max_hits: int) -> tuple[str, list[tuple[int, str]]]:
    workspace_id = f"ws_{random_base62(21)}"
    limiter.current_store().ping()  # the children inherit an open connection and must not share it
    start_at = time.time() + 0.5  # let every process start before anyone fires
    with multiprocessing.get_context("fork").Pool(PROCESSES) as pool:
        batches = pool.starmap(hammer, [(workspace_id, plan, start_at, duration, max_hits)] * PROCESSES, chunksize=1)
    return workspace_id, [result for batch in batches for result in batch]


def busiest_window(stamps: list[int]) -> int:
    """The most admitted requests in any window (t - 1 s, t]; the maximum sits at an admitted t."""
    stamps = sorted(stamps)
    return max(
        (index + 1 - bisect.bisect_right(stamps, stamp - MICROS) for index, stamp in enumerate(stamps)), default=0
    )


def test_processes_never_exceed_the_burst_in_any_window_and_the_count_is_exact():
    plan = get_plan("free")
    workspace_id, results = run_in_processes(plan, duration=2.2, max_hits=10_000)
    admitted = [stamp for stamp, outcome in results if outcome == ADMITTED]
    rejected = [stamp for stamp, outcome in results if outcome == BURST_EXCEEDED]
    assert len(admitted) + len(rejected) == len(results)
    assert len(rejected) > len(admitted)  # the processes really pushed past the limit
    assert busiest_window(admitted) == plan.burst_limit  # never more, and the limit was reached
    assert len(admitted) >= 2 * plan.burst_limit  # the window slid: more than one burst got through
    assert limiter.daily_usage(workspace_id) == len(admitted)


def test_processes_racing_for_the_last_daily_requests_get_exactly_the_quota():
    tiny = Plan("tiny", "Tiny", daily_limit=40, burst_limit=10_000)
    workspace_id, results = run_in_processes(tiny, duration=30, max_hits=25)
    outcomes = [outcome for _, outcome in results]
    assert len(outcomes) == PROCESSES * 25
    assert outcomes.count(ADMITTED) == 40
    assert outcomes.count(DAILY_EXCEEDED) == PROCESSES * 25 - 40
    assert limiter.daily_usage(workspace_id) == 40


def test_one_round_trip_per_request(tenant):
    """The limiter's whole decision is one EVALSHA (the script is loaded once per server)."""
    with override_settings(CACHES=counting_caches()):
        assert tenant.api.get("/v1/billing/plans").status_code == 200  # connect, load the script
        before = RoundTripCountingConnection.sent
        for _ in range(10):
            assert tenant.api.get("/v1/billing/plans").status_code == 200
        assert RoundTripCountingConnection.sent - before == 10


# -- over HTTP: gunicorn with 3 worker processes, one workspace, concurrent clients --------------


@contextmanager
def gunicorn_serving(workers: int = 3):
    """The app under gunicorn on a free loopback port, with the production settings pointed at this
    test's database and Redis key prefix (tests.settings would give each worker its own prefix);
    stopped (and waited for) whatever happens."""
    env = {
        "DJANGO_SETTINGS_MODULE": "nodestash.settings",
        "DATABASE_URL": current_database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "CACHE_KEY_PREFIX": settings.CACHES["default"]["KEY_PREFIX"],
    }
    with (
        tempfile.TemporaryDirectory() as logs,
        gunicorn("nodestash.wsgi", port=free_port(), workers=workers, env=env, log_path=Path(logs) / "log") as base,
    ):
        yield base


def get(url: str, key: str) -> tuple[int, dict]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {key}"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers)


@pytest.mark.postgres
def test_gunicorn_workers_share_one_exact_count(transactional_db):
    tenant = make_tenant("Hammered", plan="free")
    plan = get_plan("free")
    with gunicorn_serving() as base:
        url = f"{base}/v1/billing/plans"
        get(url, tenant.key)  # every worker may now be warm; this request counts too
        stop_at = time.monotonic() + 2.5
        started = time.monotonic()

        def client() -> list:
            results = []
            while time.monotonic() < stop_at:
                results.append(get(url, tenant.key))
            return results

        with ThreadPoolExecutor(max_workers=8) as pool:
            batches = [pool.submit(client) for _ in range(8)]
            results = [result for batch in batches for result in batch.result()]
        elapsed = time.monotonic() - started

    statuses = [status for status, _ in results]
    assert set(statuses) <= {200, 429}
    admitted = [headers for status, headers in results if status == 200]
    rejected = [headers for status, headers in results if status == 429]
    assert rejected and admitted
    # Every admitted request saw its own place in the day's count: none lost, none counted twice.
    remaining = sorted(int(headers["X-RateLimit-Remaining"]) for headers in admitted)
    assert remaining == list(range(plan.daily_limit - 1 - len(admitted), plan.daily_limit - 1))
    assert limiter.daily_usage(tenant.workspace.pk) == len(admitted) + 1
    assert all(headers["Retry-After"] == "1" and headers["X-RateLimit-Burst-Remaining"] == "0" for headers in rejected)
    # Client-side clocks cannot bound a window exactly (the process test above does); this is a sanity bound.
    assert len(admitted) <= plan.burst_limit * (math.ceil(elapsed) + 1)
