"""The production settings without the plan limiter: the baseline server of `bench_ratelimit`."""

from nodestash.settings import *  # noqa: F403
from nodestash.settings import REST_FRAMEWORK

REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_CLASSES": []}
