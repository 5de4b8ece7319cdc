"""Counting Redis round trips on the client's own connections.

Every packed command a connection sends is one round trip, so the count stays exact on a Redis
server that other clients share, which the server-wide `INFO commandstats` is not.
"""

from django.conf import settings
from redis.connection import Connection


class RoundTripCountingConnection(Connection):
    """A real Redis connection that counts what it sends (one packed send = one round trip)."""

    sent = 0

    def send_packed_command(self, command, check_health=True):
        RoundTripCountingConnection.sent += 1
        return super().send_packed_command(command, check_health)


def counting_caches() -> dict:
    """`settings.CACHES` with the default Redis cache's connections counting (for override_settings)."""
    caches = {name: dict(config) for name, config in settings.CACHES.items()}
    default = caches["default"]
    if "Redis" in default["BACKEND"]:
        default["OPTIONS"] = {**default.get("OPTIONS", {}), "connection_class": RoundTripCountingConnection}
    return caches
