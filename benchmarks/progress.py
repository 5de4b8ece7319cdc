"""A one-line progress bar on a terminal stream (seeding 100,000 rows takes a while)."""

import sys
import time

BAR_WIDTH = 30


class Progress:
    def __init__(self, label: str, total: int, stream=None):
        self.label, self.total, self.done = label, total, 0
        self.stream = stream or sys.stderr
        self.started = time.monotonic()

    def advance(self, count: int) -> None:
        self.done += count
        filled = BAR_WIDTH * self.done // max(self.total, 1)
        elapsed = time.monotonic() - self.started
        self.stream.write(
            f"\r  {self.label:<22} [{'#' * filled}{'.' * (BAR_WIDTH - filled)}] "
            f"{self.done:>9,}/{self.total:,}  {elapsed:5.1f}s"
        )
        if self.done >= self.total:
            self.stream.write("\n")
        self.stream.flush()
