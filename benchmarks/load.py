"""Drive one endpoint with wrk and read its figures.

wrk runs `wrk/bench.lua`, which takes the key, the mode, the request paths and the body from
the environment and prints a `BENCH_RESULT` JSON line at the end.
"""

import json
import os
import statistics
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

SCRIPT = Path(__file__).parent / "wrk" / "bench.lua"
RESULT_MARK = "BENCH_RESULT "


@dataclass(frozen=True)
class LoadSettings:
    duration: int = 4  # seconds per round (wrk takes whole seconds)
    connections: int = 4
    threads: int = 1
    warmup: int = 2


@dataclass(frozen=True)
class Measurement:
    requests: int
    rps: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    non_2xx: int
    socket_errors: int

    @classmethod
    def median(cls, runs: list["Measurement"]) -> "Measurement | None":
        """Several runs of one request as one: the median of each figure, errors summed."""
        if not runs:
            return None

        def middle(name: str) -> float:
            return statistics.median(getattr(run, name) for run in runs)

        return cls(
            requests=sum(run.requests for run in runs),
            rps=middle("rps"),
            p50_ms=middle("p50_ms"),
            p90_ms=middle("p90_ms"),
            p99_ms=middle("p99_ms"),
            non_2xx=sum(run.non_2xx for run in runs),
            socket_errors=sum(run.socket_errors for run in runs),
        )

    @classmethod
    def from_wrk(cls, raw: dict) -> "Measurement":
        return cls(
            requests=raw["requests"],
            rps=raw["requests"] / (raw["duration_us"] / 1e6),
            p50_ms=raw["p50_us"] / 1000,
            p90_ms=raw["p90_us"] / 1000,
            p99_ms=raw["p99_us"] / 1000,
            non_2xx=raw["non_2xx"],
            socket_errors=raw["socket_errors"],
        )


def run_wrk(
    base_url: str,
    *,
    key: str,
    paths: list[str],
    mode: str = "get",
    body: str = "",
    nonce: str = "0",
    settings: LoadSettings,
    duration: float | None = None,
) -> Measurement:
    """Load `paths` (round-robin) on `base_url` for the configured time; returns the figures."""
    with tempfile.NamedTemporaryFile("w", suffix=".paths", delete=False) as handle:
        handle.write("\n".join(paths) + "\n")
    env = {
        **os.environ,
        "BENCH_KEY": key,
        "BENCH_MODE": mode,
        "BENCH_PATHS": handle.name,
        "BENCH_BODY": body,
        "BENCH_NONCE": nonce,
    }
    command = [
        "wrk", f"-t{settings.threads}", f"-c{settings.connections}", f"-d{duration or settings.duration}s",
        "--timeout", "10s", "-s", str(SCRIPT), base_url,
    ]  # fmt: skip
    try:
        completed = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    finally:
        os.unlink(handle.name)
    for line in completed.stdout.splitlines():
        if line.startswith(RESULT_MARK):
            return Measurement.from_wrk(json.loads(line[len(RESULT_MARK) :]))
    raise RuntimeError(f"wrk printed no result:\n{completed.stdout}\n{completed.stderr}")
