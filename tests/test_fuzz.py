"""Fuzzing every operation of the OpenAPI schema with schemathesis, against the real app (WSGI,
in process) with an authenticated enterprise workspace (contract §2, §9).

Checks on every response: no 5xx, the status code is documented for the operation, the content
type, headers and body match the schema, a request the schema calls invalid is refused (4xx), an
undeclared method is a 405, a request without a key is refused, and an error is the error
envelope with the request id and nothing internal (no traceback, SQL or class names).

Profiles: the main suite runs a fast, deterministic one (FUZZ_EXAMPLES, default 10 examples per
operation and phase, derandomized); `make fuzz` runs a deeper one (more examples, on PostgreSQL
when DATABASE_URL is set). The schema is fetched over HTTP from `/v1/openapi.json`, so every
operation added later is fuzzed with no edit here.
"""

import json
import os

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ignored_auth,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)

from tests.isolation_fixtures import unthrottled
from tests.routes import api_routes


@pytest.fixture(autouse=True)
def _unthrottled():
    with unthrottled():
        yield


EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "10"))
INTERNALS = ("Traceback", 'File "/', "django.", "psycopg", "sqlite3", "IntegrityError", "SELECT ")


def error_envelope(ctx, response, case):
    """Errors are `{"error": {code, message}, "meta": {request_id}}` and reveal nothing internal."""
    request_id = response.headers.get("x-request-id", [""])[0]
    assert request_id.startswith("req_"), "no X-Request-Id header"
    if response.status_code < 400:
        return None
    text = response.content.decode("utf-8", "replace")
    leaked = [marker for marker in INTERNALS if marker in text]
    assert not leaked, f"error body reveals internals: {leaked}"
    body = json.loads(text)
    assert set(body) == {"error", "meta"}, body
    assert body["meta"]["request_id"] == request_id
    assert body["error"]["code"].isupper() and body["error"]["message"], body
    return None


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
    negative_data_rejection,  # a request the schema calls invalid is refused with a 4xx
    unsupported_method,  # a method the schema does not list is a 405
    ignored_auth,  # an operation that needs a key refuses a request without one
    error_envelope,
]

schema = schemathesis.openapi.from_wsgi("/v1/openapi.json", get_wsgi_application())


@pytest.fixture(autouse=True)
def _keep_the_test_transaction_open():
    """Django's WSGI handler closes a connection whose autocommit differs from the settings after
    every request, which the test's open transaction is: on PostgreSQL that dropped the test data
    (the test client switches this off the same way)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation(case, tenant):
    case.call_and_validate(headers={"Authorization": f"Bearer {tenant.key}"}, checks=CHECKS)


def test_the_fuzzer_sees_every_route():
    """Every /v1 route of the URL configuration (but the schema itself) is a fuzzed operation."""
    fuzzed = {(op.ok().method.upper(), op.ok().path) for op in schema.get_all_operations()}
    for route in api_routes():
        if route.template == "/v1/openapi.json":
            continue
        for method in route.methods:
            assert (method, route.template.replace("{pk}", "{id}")) in fuzzed, (
                f"{method} {route.template} is not fuzzed"
            )


def test_fields_shown_only_with_an_include_are_not_required_in_the_schema(tenant):
    """`deal_count` (include=deal_count only) was listed as required: every pipeline response
    without the include violated the schema (fuzzer)."""
    components = tenant.api.get("/v1/openapi.json").json()["components"]["schemas"]
    assert "deal_count" in components["EmbeddedStage"]["properties"]
    assert "deal_count" not in components["EmbeddedStage"]["required"]
    assert "deal_count" not in components["Pipeline"]["properties"]["attributes"]["required"]


def test_boolean_filters_are_documented_as_booleans(tenant):
    """`is_done` was a boolean whose enum held the strings "true"/"false" (fuzzer)."""
    operation = tenant.api.get("/v1/openapi.json").json()["paths"]["/v1/activities"]["get"]
    (is_done,) = [parameter for parameter in operation["parameters"] if parameter["name"] == "is_done"]
    assert is_done["schema"] == {"type": "boolean"}
