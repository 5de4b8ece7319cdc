"""What the plan limiter costs per request, time and Redis round trips, against the same request
with throttling off, on the cheapest authenticated GET (`/v1/billing/plans`: key lookup, scope
check, no other query). Two measurements:

- in process: Django's handler through the test client, the throttle switched per round; the
  limiter's CPU and Redis round trips are counted here, and a bare Redis `PING` at the limiter's
  place shows how much of its cost is the round trip itself;
- over HTTP: the production settings under gunicorn (one sync worker), one server with the
  limiter and one without (`benchmarks/unthrottled_settings.py`), timed by a minimal client
  from sending the request to the last byte of the answer. This is the request's time as a
  client sees it, and the one the target is read against.

Rounds alternate between the sides so drift (other load, CPU frequency) hits both alike; costs
are the median of the per-round differences, with the spread of the rounds.
"""

import secrets
import socket
import statistics
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import astuple, dataclass
from itertools import cycle
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.test import Client, override_settings
from rest_framework.throttling import BaseThrottle

from benchmarks.round_trips import RoundTripCountingConnection, counting_caches
from benchmarks.servers import gunicorn
from workspaces.models import Workspace
from workspaces.ratelimit import limiter
from workspaces.ratelimit.clock import ManualClock, use_clock
from workspaces.ratelimit.redis_store import RedisStore
from workspaces.ratelimit.throttles import PlanRateThrottle
from workspaces.services import workspace_create
from workspaces.views import PlanListView

PATH = "/v1/billing/plans"
TARGET_ROUND_TRIPS = 1
TARGET_SHARE = 0.10
# In process, the limiter's clock advances this much per request, keeping the run under the
# enterprise burst (500/s) however fast the machine: the limiter does its full work, nothing is
# rejected. Over HTTP the servers read the real clock, so requests rotate over this many
# workspaces instead (each sees at most 1/8 of the rate).
CLOCK_STEP_SECONDS = 0.005
HTTP_WORKSPACES = 8


@dataclass(frozen=True)
class Sample:
    """Per-request means of one round: wall seconds, CPU seconds of this process, round trips."""

    wall: float
    cpu: float = 0.0
    trips: float = 0.0


@dataclass(frozen=True)
class Side:
    label: str
    run: Callable[[int], Sample]  # serves n requests, returns their per-request means


def alternate(sides: list[Side], requests: int, rounds: int) -> list[list[Sample]]:
    """Warm every side up, then run interleaved rounds; each side's rounds in order."""
    for side in sides:
        side.run(max(50, requests // 10))
    rounds_by_side = [[] for _ in sides]
    for _ in range(rounds):
        for side, samples in zip(sides, rounds_by_side, strict=True):
            samples.append(side.run(requests))
    return rounds_by_side


def median(samples: list[Sample]) -> Sample:
    return Sample(*(statistics.median(values) for values in zip(*(astuple(sample) for sample in samples), strict=True)))


@dataclass(frozen=True)
class Cost:
    """What one side costs over another, from rounds run back to back (paired, so slow spells of
    the machine cancel out): the median difference per request and its share of the slower side's
    request, with the quartiles of the per-round shares to show the spread."""

    wall: float
    share: float
    share_quartiles: tuple[float, float]

    @staticmethod
    def of(base: list[Sample], added: list[Sample]) -> "Cost":
        pairs = list(zip(base, added, strict=True))
        shares = [(more.wall - less.wall) / more.wall for less, more in pairs]
        low, _, high = statistics.quantiles(shares, n=4) if len(shares) > 1 else shares * 3
        return Cost(
            statistics.median(more.wall - less.wall for less, more in pairs), statistics.median(shares), (low, high)
        )

    def __str__(self) -> str:
        low, high = self.share_quartiles
        spread = f"middle half of the rounds {low:.1%} to {high:.1%}"
        return f"{milliseconds(self.wall)}/request ({self.share:.1%} of the request; {spread})"


class RedisPingThrottle(BaseThrottle):
    """Admits everything after one bare Redis round trip on the limiter's own connection."""

    def allow_request(self, request, view) -> bool:
        limiter.current_store().ping()
        return True


def in_process_side(label: str, client: Client, throttle_classes: list) -> Side:
    def run(requests: int) -> Sample:
        PlanListView.throttle_classes = throttle_classes
        sent_before = RoundTripCountingConnection.sent
        started, cpu_started = time.perf_counter(), time.process_time()
        try:
            for _ in range(requests):
                response = client.get(PATH, secure=True)
                if response.status_code != 200:
                    raise CommandError(f"{label}: {response.status_code} {response.content[:300]!r}")
        finally:
            PlanListView.throttle_classes = [PlanRateThrottle]
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        return Sample(wall / requests, cpu / requests, (RoundTripCountingConnection.sent - sent_before) / requests)

    return Side(label, run)


def http_side(label: str, port: int, keys: list[str]) -> Side:
    """A new connection per request, as gunicorn's sync worker closes it after each answer."""
    requests_by_key = cycle(
        f"GET {PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {key}\r\n"
        "X-Forwarded-Proto: https\r\nConnection: close\r\n\r\n".encode()
        for key in keys
    )

    def run(requests: int) -> Sample:
        elapsed = 0.0
        for _, request in zip(range(requests), requests_by_key, strict=False):
            started = time.perf_counter()
            with socket.create_connection(("127.0.0.1", port)) as connection:
                connection.sendall(request)
                answer = b"".join(iter(lambda connection=connection: connection.recv(65536), b""))
            elapsed += time.perf_counter() - started
            if not answer.startswith(b"HTTP/1.1 200"):
                raise CommandError(f"{label}: {answer[:300]!r}")
        return Sample(elapsed / requests)

    return Side(label, run)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def milliseconds(seconds: float) -> str:
    return f"{seconds * 1000:7.3f} ms"


class Command(BaseCommand):
    help = "Print the rate limiter's cost per request (time, Redis round trips) against throttling off."

    def add_arguments(self, parser):
        parser.add_argument("--requests", type=int, default=400, help="requests per round and side (%(default)s)")
        parser.add_argument("--rounds", type=int, default=15, help="interleaved rounds (%(default)s)")

    def handle(self, *args, requests, rounds, **options):
        created = [workspace_create(name=f"bench-ratelimit-{n}", plan="enterprise") for n in range(HTTP_WORKSPACES)]
        keys = [key for _, _, key in created]
        redis = isinstance(limiter.current_store(), RedisStore)
        try:
            self.stdout.write(
                f"GET {PATH} (the cheapest authenticated GET), {requests} requests x {rounds} rounds per side, "
                f"counter store: {'redis' if redis else 'in process (no REDIS_URL)'}"
            )
            trips = self.in_process(keys[0], requests, rounds, redis)
            share = self.over_http(keys, requests, rounds)
        finally:
            Workspace.objects.filter(pk__in=[workspace.pk for workspace, _, _ in created]).delete()
        trips_ok, share_ok = trips <= TARGET_ROUND_TRIPS, share < TARGET_SHARE
        self.stdout.write(
            f"target: <= {TARGET_ROUND_TRIPS} Redis round trip per request: {trips:.2f} "
            f"{'OK' if trips_ok else 'OVER'}; < {TARGET_SHARE:.0%} of the request's time over HTTP: "
            f"{share:.1%} {'OK' if share_ok else 'OVER'}"
        )

    def in_process(self, key: str, requests: int, rounds: int, redis: bool) -> float:
        """Prints the in-process figures; returns the limiter's Redis round trips per request."""
        client = Client(HTTP_AUTHORIZATION=f"Bearer {key}", HTTP_HOST="localhost")
        sides = [in_process_side("throttling off", client, [])]
        if redis:
            sides.append(in_process_side("a Redis PING instead", client, [RedisPingThrottle]))
        sides.append(in_process_side("throttling on", client, [PlanRateThrottle]))
        clock = ManualClock(time.time())
        stepping_clock = lambda: clock.advance(CLOCK_STEP_SECONDS) or clock()  # noqa: E731
        with override_settings(CACHES=counting_caches()), use_clock(stepping_clock):
            rounds_by_side = alternate(sides, requests, rounds)
        self.stdout.write("in process (Django's handler through the test client):")
        for side, samples in zip(sides, rounds_by_side, strict=True):
            sample = median(samples)
            self.stdout.write(
                f"  {side.label:<22}{milliseconds(sample.wall)}/request wall, {milliseconds(sample.cpu)} CPU, "
                f"{sample.trips:.2f} Redis round trips/request"
            )
        off, on = rounds_by_side[0], rounds_by_side[-1]
        cpu = statistics.median(more.cpu - less.cpu for less, more in zip(off, on, strict=True))
        self.stdout.write(f"  {'limiter cost':<22}{Cost.of(off, on)}, {milliseconds(cpu)} CPU")
        if redis:
            self.stdout.write(f"  {'a bare round trip':<22}{Cost.of(off, rounds_by_side[1])}")
        return median(on).trips - median(off).trips

    def over_http(self, keys: list[str], requests: int, rounds: int) -> float:
        """Prints the figures over HTTP; returns the limiter's share of the request's time."""
        environment = {
            "SECRET_KEY": secrets.token_urlsafe(50),
            "DEBUG": "0",
            "ALLOWED_HOSTS": "127.0.0.1",
            "TRUST_X_FORWARDED_PROTO": "1",  # behind a TLS proxy, as in production
            "LOG_LEVEL": "WARNING",
            "CACHE_KEY_PREFIX": settings.CACHES["default"].get("KEY_PREFIX", ""),
        }
        log_path = Path(tempfile.gettempdir()) / f"nodestash-bench-ratelimit-{secrets.token_hex(4)}.log"
        with ExitStack() as servers:
            sides = []
            for label, settings_module in (("throttling off", "benchmarks.unthrottled_settings"),
                                           ("throttling on", "nodestash.settings")):  # fmt: skip
                port = free_port()
                server_env = {**environment, "DJANGO_SETTINGS_MODULE": settings_module}
                server = gunicorn("nodestash.wsgi", port=port, workers=1, env=server_env, log_path=log_path)
                servers.enter_context(server)
                sides.append(http_side(label, port, keys))
            off, on = alternate(sides, requests, rounds)
        self.stdout.write("over HTTP (gunicorn, 1 sync worker a side, production settings, a connection per request):")
        for side, samples in zip(sides, (off, on), strict=True):
            self.stdout.write(f"  {side.label:<22}{milliseconds(median(samples).wall)}/request")
        cost = Cost.of(off, on)
        self.stdout.write(f"  {'limiter cost':<22}{cost}")
        return cost.share
