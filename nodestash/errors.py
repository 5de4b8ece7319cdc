"""The API's error vocabulary: one exception class per error code of the contract (§2).

Raise these from views, services and authentication; `nodestash.exceptions.exception_handler`
turns them, and DRF's and Django's own exceptions, into the error envelope.
"""

from rest_framework import status
from rest_framework.exceptions import APIException, ValidationError


class ApiError(APIException):
    """An error with a contract code. `extra` is merged into the `error` object."""

    status_code = status.HTTP_400_BAD_REQUEST
    error_code = "VALIDATION_ERROR"
    default_detail = "The request is invalid."

    def __init__(self, message: str | None = None, *, extra: dict | None = None, headers: dict | None = None):
        super().__init__(detail=message or self.default_detail, code=self.error_code)
        self.extra = extra or {}
        self.headers = headers or {}


class MissingAuth(ApiError):
    status_code = status.HTTP_401_UNAUTHORIZED
    error_code = "MISSING_AUTH"
    default_detail = "Authentication required: send 'Authorization: Bearer <api key>'."


class InvalidApiKey(ApiError):
    status_code = status.HTTP_401_UNAUTHORIZED
    error_code = "INVALID_API_KEY"
    default_detail = "The API key is invalid, revoked or expired."


class InsufficientScope(ApiError):
    status_code = status.HTTP_403_FORBIDDEN
    error_code = "INSUFFICIENT_SCOPE"

    def __init__(self, scope: str):
        super().__init__(f"This API key lacks the '{scope}' scope.", extra={"required_scope": scope})


class WorkspaceSuspended(ApiError):
    status_code = status.HTTP_403_FORBIDDEN
    error_code = "WORKSPACE_SUSPENDED"
    default_detail = "This workspace is suspended. Contact the operator of this nodestash instance."


class Forbidden(ApiError):
    status_code = status.HTTP_403_FORBIDDEN
    error_code = "FORBIDDEN"
    default_detail = "You are not allowed to do this."


class NotFound(ApiError):
    status_code = status.HTTP_404_NOT_FOUND
    error_code = "NOT_FOUND"
    default_detail = "Not found."


class Conflict(ApiError):
    status_code = status.HTTP_409_CONFLICT
    error_code = "CONFLICT"
    default_detail = "The request conflicts with the current state of the resource."


class IdempotencyKeyReused(Conflict):
    error_code = "IDEMPOTENCY_KEY_REUSED"
    default_detail = (
        "This Idempotency-Key was already used for a different request (method, path or body); "
        "use a new key for a new request."
    )


class IdempotencyKeyInUse(Conflict):
    error_code = "IDEMPOTENCY_KEY_IN_USE"
    default_detail = "A request with this Idempotency-Key is still being processed; retry after it completes."


class PayloadTooLarge(ApiError):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    error_code = "PAYLOAD_TOO_LARGE"
    default_detail = "The request body is larger than 1 MiB."


class UnprocessableEntity(ApiError):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    error_code = "UNPROCESSABLE_ENTITY"
    default_detail = "A referenced resource does not exist."


class RateLimited(ApiError):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    error_code = "RATE_LIMITED"
    default_detail = "Too many requests."


class ServiceUnavailable(ApiError):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    error_code = "SERVICE_UNAVAILABLE"
    default_detail = "The service is temporarily unavailable. Retry shortly."


def validation_error(field: str | None, message: str) -> ValidationError:
    """A 400 VALIDATION_ERROR with one `details` entry; for checks outside serializers."""
    return ValidationError({field: [message]} if field else [message])
