"""The production settings with one more route for `bench_ratelimit`: the plan list without the
limiter beside the real one, so one server process serves both variants of the request."""

from nodestash.settings import *  # noqa: F403

ROOT_URLCONF = "benchmarks.ratelimit_urls"
