"""`manage.py bench_ratelimit` runs end to end and reports what it measured, and the comparison
it rests on (benchmarks/interleaved.py) computes what it says."""

import io
import re

import pytest
from django.core.management import call_command

from benchmarks.interleaved import Cost, Timings, Variant, interleave
from tests.helpers import current_database_url


def test_variants_take_turns_starting_alternately():
    order = []
    variants = [
        Variant(name, lambda timings, name=name: (order.append(name), timings.wall.append(0.0))) for name in "ab"
    ]
    timings = interleave(variants, requests=3, warmup=1)
    assert order == ["a", "b", "a", "b", "b", "a", "a", "b"]  # warm-ups, then a b, b a, a b
    assert [len(recorded.wall) for recorded in timings] == [3, 3]


def test_cost_is_the_difference_of_medians_and_its_share():
    base = Timings(wall=[0.001] * 49 + [0.5])  # one stalled request does not move a median
    added = Timings(wall=[0.00125] * 50)
    cost = Cost.of(base, added)
    assert cost.wall == pytest.approx(0.00025)
    assert cost.share == pytest.approx(0.2)
    assert cost.block_shares == (pytest.approx(0.2), pytest.approx(0.2))


@pytest.mark.postgres
@pytest.mark.redis
def test_the_benchmark_runs_in_process_and_over_http(transactional_db, monkeypatch):
    """Its gunicorn servers read the environment: point them at this test's database."""
    monkeypatch.setenv("DATABASE_URL", current_database_url())
    output = io.StringIO()
    call_command("bench_ratelimit", requests=25, warmup=5, stdout=output)
    text = output.getvalue()
    assert re.search(r"throttling on .* 1\.00 Redis round trips", text), text
    assert re.search(r"throttling off .* 0\.00 Redis round trips", text), text
    assert "over HTTP" in text and re.search(
        r"target: <= 1 Redis round trip per request: 1\.00 OK; .* over HTTP", text
    ), text
