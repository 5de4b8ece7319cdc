"""The limiter's time source, injectable so tests can cross a UTC midnight or a 1-second window
without sleeping (and the benchmark can keep its requests under the burst limit).

Production reads the system clock; `use_clock(source)` swaps in any zero-argument callable that
returns Unix seconds, for the current process, until the block ends.
"""

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

_source: Callable[[], float] = time.time


def now() -> float:
    """Unix seconds, from the installed source."""
    return _source()


@contextmanager
def use_clock(source: Callable[[], float]) -> Iterator[Callable[[], float]]:
    global _source
    previous, _source = _source, source
    try:
        yield source
    finally:
        _source = previous


class ManualClock:
    """A clock that only moves when told to: `clock.advance(0.5)`, `clock.set(datetime)`."""

    def __init__(self, start: datetime | float):
        self.set(start)

    def set(self, moment: datetime | float) -> None:
        self.value = moment.timestamp() if isinstance(moment, datetime) else float(moment)

    def advance(self, seconds: float) -> None:
        self.value += seconds

    def __call__(self) -> float:
        return self.value

    @property
    def datetime(self) -> datetime:
        return datetime.fromtimestamp(self.value, UTC)
