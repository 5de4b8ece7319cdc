"""What the figures were measured on: they mean little without it."""

import os
import platform
import subprocess
from importlib.metadata import version


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_gib() -> float | None:
    try:
        with open("/proc/meminfo") as meminfo:
            kib = int(meminfo.readline().split()[1])  # MemTotal is the first line
        return round(kib / 1024**2, 1)
    except (OSError, ValueError, IndexError):
        return None


def _wrk_version() -> str:
    try:
        output = subprocess.run(["wrk", "--version"], capture_output=True, text=True).stdout
    except OSError:
        return "missing"
    return output.split(" [", 1)[0].strip()


def describe(postgres_version: str, redis_version: str, load_at_start: list[float]) -> dict:
    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "memory_gib": _memory_gib(),
        "os": platform.platform(),
        "load_average_at_start": load_at_start,
        "load_average_at_end": [round(value, 2) for value in os.getloadavg()],
        "python": platform.python_version(),
        "django": version("django"),
        "djangorestframework": version("djangorestframework"),
        "psycopg": version("psycopg"),
        "gunicorn": version("gunicorn"),
        "postgresql": postgres_version,
        "redis": redis_version,
        "wrk": _wrk_version(),
    }
