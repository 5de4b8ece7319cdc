"""What the plan limiter costs per request, time and Redis round trips, against the same request
with throttling off, on the cheapest authenticated GET (`/v1/billing/plans`: key lookup, scope
check, no other query). Two measurements:

- in process: Django's handler through the test client with DEBUG off, the throttle switched per
  request. The limiter's CPU and Redis round trips are counted here, and a bare Redis `PING` at
  the limiter's place shows what one waited-for round trip costs. With no HTTP server, parsing or
  network around the request, the limiter's share is the largest it can be.
- over HTTP: the production settings under gunicorn (one sync worker), with one more route: the
  same view without the limiter (benchmarks/ratelimit_settings.py), so one worker process serves
  both variants. A minimal client times each request from sending it to the last byte of the
  answer: the request's time as a client sees it.

The target holds when both shares are under it.

The variants take turns request by request and are compared by their median latencies
(benchmarks/interleaved.py), so the noise of a shared machine reaches them alike.
"""

import secrets
import socket
import tempfile
import time
from itertools import cycle
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.test import Client, override_settings
from rest_framework.throttling import BaseThrottle

from benchmarks.interleaved import Cost, Timings, Variant, interleave, milliseconds
from benchmarks.ratelimit_urls import UNTHROTTLED_PATH
from benchmarks.round_trips import RoundTripCountingConnection, counting_caches
from benchmarks.servers import free_port, gunicorn
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


class RedisPingThrottle(BaseThrottle):
    """Admits everything after one bare Redis round trip on the limiter's own connection."""

    def allow_request(self, request, view) -> bool:
        limiter.current_store().ping()
        return True


def in_process_variant(label: str, client: Client, throttle_classes: list) -> Variant:
    def serve(timings: Timings) -> None:
        PlanListView.throttle_classes = throttle_classes
        sent_before = RoundTripCountingConnection.sent
        started, cpu_started = time.perf_counter(), time.process_time()
        try:
            response = client.get(PATH, secure=True)
        finally:
            PlanListView.throttle_classes = [PlanRateThrottle]
        timings.wall.append(time.perf_counter() - started)
        timings.cpu.append(time.process_time() - cpu_started)
        timings.round_trips += RoundTripCountingConnection.sent - sent_before
        if response.status_code != 200:
            raise CommandError(f"{label}: {response.status_code} {response.content[:300]!r}")

    return Variant(label, serve)


def http_variant(label: str, port: int, path: str, keys: list[str]) -> Variant:
    """A new connection per request, as gunicorn's sync worker closes it after each answer."""
    requests_by_key = cycle(
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {key}\r\n"
        "X-Forwarded-Proto: https\r\nConnection: close\r\n\r\n".encode()
        for key in keys
    )

    def serve(timings: Timings) -> None:
        request = next(requests_by_key)
        started = time.perf_counter()
        with socket.create_connection(("127.0.0.1", port)) as connection:
            connection.sendall(request)
            answer = b"".join(iter(lambda: connection.recv(65536), b""))
        timings.wall.append(time.perf_counter() - started)
        if not answer.startswith(b"HTTP/1.1 200"):
            raise CommandError(f"{label}: {answer[:300]!r}")

    return Variant(label, serve)


class Command(BaseCommand):
    help = "Print the rate limiter's cost per request (time, Redis round trips) against throttling off."

    def add_arguments(self, parser):
        parser.add_argument("--requests", type=int, default=3000, help="requests per variant (%(default)s)")
        parser.add_argument("--warmup", type=int, default=200, help="unrecorded requests per variant first")

    def handle(self, *args, requests, warmup, **options):
        created = [workspace_create(name=f"bench-ratelimit-{n}", plan="enterprise") for n in range(HTTP_WORKSPACES)]
        keys = [key for _, _, key in created]
        redis = isinstance(limiter.current_store(), RedisStore)
        try:
            self.stdout.write(
                f"GET {PATH} (the cheapest authenticated GET), {requests} requests per variant, taking turns; "
                f"medians; counter store: {'redis' if redis else 'in process (no REDIS_URL)'}"
            )
            trips, share = self.in_process(keys[0], requests, warmup, redis)
            http_share = self.over_http(keys, requests, warmup)
        finally:
            Workspace.objects.filter(pk__in=[workspace.pk for workspace, _, _ in created]).delete()
        trips_ok, share_ok = trips <= TARGET_ROUND_TRIPS, max(share, http_share) < TARGET_SHARE
        self.stdout.write(
            f"target: <= {TARGET_ROUND_TRIPS} Redis round trip per request: {trips:.2f} "
            f"{'OK' if trips_ok else 'OVER'}; < {TARGET_SHARE:.0%} of the request's time: {share:.1%} in process, "
            f"{http_share:.1%} over HTTP {'OK' if share_ok else 'OVER'}"
        )

    def in_process(self, key: str, requests: int, warmup: int, redis: bool) -> tuple[float, float]:
        """Prints the in-process figures; returns the limiter's Redis round trips per request and
        its share of the request's time."""
        client = Client(HTTP_AUTHORIZATION=f"Bearer {key}", HTTP_HOST="localhost")
        variants = [in_process_variant("throttling off", client, [])]
        if redis:
            variants.append(in_process_variant("a Redis PING instead", client, [RedisPingThrottle]))
        variants.append(in_process_variant("throttling on", client, [PlanRateThrottle]))
        clock = ManualClock(time.time())
        stepping_clock = lambda: clock.advance(CLOCK_STEP_SECONDS) or clock()  # noqa: E731
        with override_settings(CACHES=counting_caches(), DEBUG=False), use_clock(stepping_clock):
            timings = interleave(variants, requests, warmup)
        self.stdout.write("in process (Django's handler through the test client):")
        for variant, recorded in zip(variants, timings, strict=True):
            self.stdout.write(
                f"  {variant.label:<22}{milliseconds(recorded.median_wall)}/request wall, "
                f"{milliseconds(recorded.median_cpu)} CPU, {recorded.round_trips_per_request:.2f} Redis round trips"
            )
        off, on = timings[0], timings[-1]
        cost = Cost.of(off, on)
        self.stdout.write(f"  {'limiter cost':<22}{cost}, {milliseconds(on.median_cpu - off.median_cpu)} CPU")
        if redis:
            self.stdout.write(f"  {'a waited round trip':<22}{Cost.of(off, timings[1])}")
        return on.round_trips_per_request - off.round_trips_per_request, cost.share

    def over_http(self, keys: list[str], requests: int, warmup: int) -> float:
        """Prints the figures over HTTP; returns the limiter's share of the request's time."""
        environment = {
            "SECRET_KEY": secrets.token_urlsafe(50),
            "DEBUG": "0",
            "ALLOWED_HOSTS": "127.0.0.1",
            "TRUST_X_FORWARDED_PROTO": "1",  # behind a TLS proxy, as in production
            "LOG_LEVEL": "WARNING",
            "CACHE_KEY_PREFIX": settings.CACHES["default"].get("KEY_PREFIX", ""),
            "DJANGO_SETTINGS_MODULE": "benchmarks.ratelimit_settings",  # both variants, one process
        }
        log_path = Path(tempfile.gettempdir()) / f"nodestash-bench-ratelimit-{secrets.token_hex(4)}.log"
        port = free_port()
        with gunicorn("nodestash.wsgi", port=port, workers=1, env=environment, log_path=log_path):
            variants = [
                http_variant("throttling off", port, UNTHROTTLED_PATH, keys),
                http_variant("throttling on", port, PATH, keys),
            ]
            off, on = interleave(variants, requests, warmup)
        self.stdout.write("over HTTP (gunicorn, 1 sync worker, production settings, a new connection per request):")
        for variant, recorded in zip(variants, (off, on), strict=True):
            self.stdout.write(f"  {variant.label:<22}{milliseconds(recorded.median_wall)}/request")
        cost = Cost.of(off, on)
        self.stdout.write(f"  {'limiter cost':<22}{cost}")
        return cost.share
