"""Non-API views: health probes and the JSON handlers for Django-level 400/404/500."""

import logging

from django.db import connection
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt

from nodestash.exceptions import error_response, suspicious_request
from workspaces.ratelimit.limiter import current_store

logger = logging.getLogger("nodestash.health")


@csrf_exempt
def healthz(request):
    """The process is alive and serving."""
    return JsonResponse({"status": "ok"})


@csrf_exempt
def readyz(request):
    """The database and the counter store answer; 503 names what does not."""
    checks = {"database": "ok", "counter_store": "ok"}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:
        logger.warning("readiness: database unreachable: %s", exc.__class__.__name__)
        checks["database"] = "unavailable"
    try:
        current_store().ping()
    except Exception as exc:
        logger.warning("readiness: counter store unreachable: %s", exc.__class__.__name__)
        checks["counter_store"] = "unavailable"
    ready = all(value == "ok" for value in checks.values())
    return JsonResponse({"status": "ok" if ready else "unavailable", "checks": checks}, status=200 if ready else 503)


# Exempt from CSRF: a write to an unknown route must be a 404 in the envelope, not Django's HTML
# "CSRF verification failed" page (they change nothing, so there is nothing to protect).
@csrf_exempt
def not_found(request, exception=None):
    return error_response(404, "NOT_FOUND", "No such route.")


def bad_request(request, exception=None):
    """Django's own refusals outside DRF (a Host not in ALLOWED_HOSTS, too many parameters)."""
    return error_response(*suspicious_request(exception))


def server_error(request):
    return error_response(500, "INTERNAL_ERROR", "Internal server error.")
