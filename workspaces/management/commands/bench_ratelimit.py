"""What the plan limiter costs per request: time and Redis round trips, against the same
request with throttling off, on the cheapest authenticated GET (`/v1/billing/plans`: key
lookup, scope check, no other query).

Round trips are counted on the client's own connections (every packed command sent), so the
count stays exact on a Redis server that other clients share, which `INFO commandstats` is not.
Rounds alternate off/on so drift (other load, CPU frequency) hits both sides alike.
"""

import statistics
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.management.base import BaseCommand
from django.test import Client, override_settings
from redis.connection import Connection

from workspaces.models import Workspace
from workspaces.ratelimit.clock import ManualClock, use_clock
from workspaces.ratelimit.throttles import PlanRateThrottle
from workspaces.services import workspace_create
from workspaces.views import PlanListView

PATH = "/v1/billing/plans"
TARGET_ROUND_TRIPS = 1
TARGET_SHARE = 0.10
# The benchmark's clock advances this much per request, keeping it under the enterprise burst
# (500/s) however fast the machine: the limiter does the same work, nothing is rejected.
CLOCK_STEP_SECONDS = 0.005


class RoundTripCountingConnection(Connection):
    """A real Redis connection that counts what it sends (one packed send = one round trip)."""

    sent = 0

    def send_packed_command(self, command, check_health=True):
        RoundTripCountingConnection.sent += 1
        return super().send_packed_command(command, check_health)


def counting_caches() -> dict:
    caches = {name: dict(config) for name, config in settings.CACHES.items()}
    default = caches["default"]
    if "Redis" in default["BACKEND"]:
        default["OPTIONS"] = {**default.get("OPTIONS", {}), "connection_class": RoundTripCountingConnection}
    return caches


@dataclass(frozen=True)
class Sample:
    """Per-request means of one run: wall seconds, CPU seconds of this process, round trips (total)."""

    wall: float
    cpu: float
    trips: float

    @staticmethod
    def median(samples: list["Sample"], requests: int) -> "Sample":
        return Sample(
            statistics.median(sample.wall for sample in samples),
            statistics.median(sample.cpu for sample in samples),
            sum(sample.trips for sample in samples) / (requests * len(samples)),
        )


class Command(BaseCommand):
    help = "Print the rate limiter's cost per request (time, Redis round trips) against throttling off."

    def add_arguments(self, parser):
        parser.add_argument("--requests", type=int, default=1000, help="requests per round and side")
        parser.add_argument("--rounds", type=int, default=5)

    def handle(self, *args, requests, rounds, **options):
        workspace, _, key = workspace_create(name="bench-ratelimit", plan="enterprise")
        client = Client(HTTP_AUTHORIZATION=f"Bearer {key}", HTTP_HOST="localhost")
        clock = ManualClock(time.time())
        try:
            with override_settings(CACHES=counting_caches()), use_clock(self.stepping(clock)):
                self.measure(client, requests, rounds)
        finally:
            Workspace.objects.filter(pk=workspace.pk).delete()

    @staticmethod
    def stepping(clock: ManualClock):
        def now() -> float:
            clock.advance(CLOCK_STEP_SECONDS)
            return clock()

        return now

    def measure(self, client, requests: int, rounds: int) -> None:
        self.run(client, max(50, requests // 10), throttled=True)  # warm up: connections, script load
        self.run(client, max(50, requests // 10), throttled=False)
        samples = {False: [], True: []}
        for _ in range(rounds):
            for throttled in (False, True):
                samples[throttled].append(self.run(client, requests, throttled))
        off, on = (Sample.median(samples[side], requests) for side in (False, True))
        share = (on.wall - off.wall) / on.wall
        cost_trips = on.trips - off.trips
        store = "redis" if "Redis" in settings.CACHES["default"]["BACKEND"] else "in-process (no REDIS_URL)"
        self.stdout.write(f"GET {PATH}, {requests} requests x {rounds} rounds per side, counter store: {store}")
        for label, side in (("throttling off", off), ("throttling on ", on)):
            self.stdout.write(
                f"{label}: {side.wall * 1000:7.3f} ms/request wall, {side.cpu * 1000:7.3f} ms CPU, "
                f"{side.trips:.2f} Redis round trips/request"
            )
        verdict = "OK" if cost_trips <= TARGET_ROUND_TRIPS and share < TARGET_SHARE else "OVER TARGET"
        self.stdout.write(
            f"limiter cost:   {(on.wall - off.wall) * 1000:7.3f} ms/request wall ({share:.1%} of the request), "
            f"{(on.cpu - off.cpu) * 1000:.3f} ms CPU ({(on.cpu - off.cpu) / on.cpu:.1%}), {cost_trips:.2f} round trips"
        )
        self.stdout.write(
            f"target:         <= {TARGET_ROUND_TRIPS} round trip and < {TARGET_SHARE:.0%} of the wall time: {verdict}"
        )

    @staticmethod
    def run(client, requests: int, throttled: bool) -> "Sample":
        PlanListView.throttle_classes = [PlanRateThrottle] if throttled else []
        sent_before = RoundTripCountingConnection.sent
        started, cpu_started = time.perf_counter(), time.process_time()
        try:
            for _ in range(requests):
                response = client.get(PATH, secure=True)
                assert response.status_code == 200, response.content[:200]
        finally:
            PlanListView.throttle_classes = [PlanRateThrottle]
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        return Sample(elapsed / requests, cpu / requests, RoundTripCountingConnection.sent - sent_before)
