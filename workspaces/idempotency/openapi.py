"""The `Idempotency-Key` header in the OpenAPI schema (used by nodestash.openapi)."""

from drf_spectacular.utils import OpenApiParameter

from workspaces.idempotency.requests import HEADER, KEY_PATTERN, METHODS
from workspaces.idempotency.views import IdempotencyMixin

KEY_SCHEMA = {"type": "string", "minLength": 1, "maxLength": 255, "pattern": f"^{KEY_PATTERN.pattern}$"}
DESCRIPTION = (
    "Makes a retry safe: the same key with the same request within 24 hours returns the first "
    "response (with `Idempotent-Replayed: true`) instead of running again. 1-255 printable ASCII "
    "characters, per workspace. 409 `IDEMPOTENCY_KEY_REUSED` for a different request under the "
    "same key, 409 `IDEMPOTENCY_KEY_IN_USE` while the first is still running."
)


def idempotency_parameters(view, method: str) -> list[OpenApiParameter]:
    if method.upper() not in METHODS or not isinstance(view, IdempotencyMixin):
        return []
    return [OpenApiParameter(HEADER, KEY_SCHEMA, OpenApiParameter.HEADER, description=DESCRIPTION)]
