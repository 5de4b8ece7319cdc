"""The Redis store under real concurrency: several processes hammer one workspace at once.

Each process stamps its requests with the time it hands the limiter, so the check is exact:
over any 1-second window of admitted timestamps no more than the burst limit, and the daily
counter equals the number of admitted requests, no more, no fewer.
"""

import bisect
import multiprocessing
import time

import pytest
from django.test import override_settings

from nodestash.ids import random_base62
from workspaces.management.commands.bench_ratelimit import RoundTripCountingConnection, counting_caches
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
            decision = limiter.rate_limit_hit(workspace_id, plan)
        assert decision is not None, "the counter store failed"
        results.append((int(stamp * MICROS), decision.outcome))
    return results


def run_in_processes(plan: Plan, duration: float, max_hits: int) -> tuple[str, list[tuple[int, str]]]:
    workspace_id = f"ws_{random_base62(21)}"
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
