"""Comparing variants of one request on a noisy machine: interleave them request by request.

Rounds of one variant then the other let a slow spell of a shared machine (another tenant of
the host, a frequency change) land on one side only; on a 2-core VM that noise is larger than
a fraction of a millisecond. Here every variant serves one request in turn (in the order A B,
then B A, so neither always goes first), so any drift reaches all of them alike, and latencies
are compared by their medians, which a few stalled requests do not move.
"""

import statistics
from collections.abc import Callable
from dataclasses import dataclass, field

BLOCKS = 5  # the run is cut in this many blocks to show how steady a difference is


@dataclass
class Timings:
    """One variant's requests: wall and CPU seconds of each, and the Redis round trips of all."""

    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    round_trips: int = 0

    @property
    def median_wall(self) -> float:
        return statistics.median(self.wall)

    @property
    def median_cpu(self) -> float:
        return statistics.median(self.cpu) if self.cpu else 0.0

    @property
    def round_trips_per_request(self) -> float:
        return self.round_trips / len(self.wall)


@dataclass(frozen=True)
class Variant:
    label: str
    serve: Callable[[Timings], None]  # serves one request, adding its figures to the timings


def interleave(variants: list[Variant], requests: int, warmup: int) -> list[Timings]:
    """Each variant's timings over `requests` requests, after `warmup` unrecorded ones each."""
    for variant in variants:
        for _ in range(warmup):
            variant.serve(Timings())
    timings = [Timings() for _ in variants]
    pairs = list(zip(variants, timings, strict=True))
    for index in range(requests):
        for variant, recorded in pairs if index % 2 == 0 else reversed(pairs):
            variant.serve(recorded)
    return timings


@dataclass(frozen=True)
class Cost:
    """What `added` costs over `base` per request: the difference of the median latencies, its
    share of `added`'s median, and the lowest and highest share over the run's blocks."""

    wall: float
    share: float
    block_shares: tuple[float, float]

    @staticmethod
    def of(base: Timings, added: Timings) -> "Cost":
        size = len(base.wall) // BLOCKS
        shares = [
            share_of(base.wall[start : start + size], added.wall[start : start + size])
            for start in range(0, size * BLOCKS, size)
        ]
        return Cost(added.median_wall - base.median_wall, share_of(base.wall, added.wall), (min(shares), max(shares)))

    def __str__(self) -> str:
        low, high = self.block_shares
        return (
            f"{milliseconds(self.wall)}/request ({self.share:.1%} of the request; "
            f"{low:.1%} to {high:.1%} over {BLOCKS} blocks of the run)"
        )


def milliseconds(seconds: float) -> str:
    return f"{seconds * 1000:7.3f} ms"


def share_of(base: list[float], added: list[float]) -> float:
    more = statistics.median(added)
    return (more - statistics.median(base)) / more
