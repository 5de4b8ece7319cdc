"""The OpenAPI document (contract §9) and the operational endpoints.

The schema must generate with no warnings and validate as OpenAPI 3 (what
`manage.py spectacular --validate --fail-on-warn` checks), and every operation must document
its scope, its security and its error responses, for every route, including ones added later.
"""

import re

import pytest
from django.core.management import call_command
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

from apikeys.scopes import PUBLIC, required_scope
from tests.helpers import counter_store_down
from tests.routes import api_routes

READ_ERRORS = {"400", "401", "403", "404", "429", "500"}
WRITE_ERRORS = READ_ERRORS | {"409", "413", "415", "422"}


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    with django_db_blocker.unblock():
        GENERATOR_STATS.reset()
        generated = SchemaGenerator().get_schema(request=None, public=True)
        warnings = dict(GENERATOR_STATS._warn_cache)
        errors = dict(GENERATOR_STATS._error_cache)
        GENERATOR_STATS.reset()
    return generated, warnings, errors


def normalized(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "{}", path)


def operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                yield path, method.upper(), operation


def test_schema_generates_without_warnings_or_errors(schema):
    _, warnings, errors = schema
    assert errors == {}
    assert warnings == {}


def test_schema_validates_as_openapi_3(schema):
    document, _, _ = schema
    assert document["openapi"].startswith("3.")
    validate_schema(document)


def test_the_management_command_passes_with_validate_and_fail_on_warn(tmp_path):
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    assert target.read_text().startswith("openapi: 3.")


def test_every_route_and_method_is_documented(schema):
    document, _, _ = schema
    documented = {(normalized(path), method) for path, method, _ in operations(document)}
    for route in api_routes():
        if route.template == "/v1/openapi.json":
            continue
        for method in route.methods:
            assert (normalized(route.template), method) in documented, f"{method} {route.template}"


def test_every_operation_documents_scope_security_and_errors(schema):
    document, _, _ = schema
    resources = {normalized(route.template): route.scope_resource for route in api_routes()}
    for path, method, operation in operations(document):
        where = f"{method} {path}"
        resource = resources[normalized(path)]
        responses = operation["responses"]
        if resource == PUBLIC:
            assert "No authentication required." in operation.get("description", ""), where
            assert operation.get("security", document.get("security", [])) in ([], [{}]), where
        else:
            scope = required_scope(resource, method)
            assert f"Requires scope `{scope}`." in operation.get("description", ""), where
            schemes = {name for requirement in operation["security"] for name in requirement}
            assert "BearerAuth" in schemes, where
            expected = READ_ERRORS if method == "GET" else WRITE_ERRORS
            assert expected <= set(responses), f"{where}: missing {expected - set(responses)}"
        for code, response in responses.items():
            if code[0] in "45":
                body = response["content"]["application/json"]["schema"]
                assert body == {"$ref": "#/components/schemas/ErrorEnvelope"}, f"{where} {code}"


def test_success_bodies_are_described_inside_the_envelope(schema):
    document, _, _ = schema
    for path, method, operation in operations(document):
        for code, response in operation["responses"].items():
            if code.startswith("2") and "content" in response:
                body = response["content"]["application/json"]["schema"]
                if "$ref" in body:
                    body = document["components"]["schemas"][body["$ref"].rsplit("/", 1)[1]]
                assert {"data", "meta"} <= set(body.get("properties", {})), f"{method} {path} {code}"


def component(document, ref: dict) -> dict:
    return document["components"]["schemas"][ref["$ref"].rsplit("/", 1)[1]]


def test_signup_documents_the_embedded_key(schema):
    """The 201 carries the workspace with its first key, plaintext included; the schema must say so."""
    document, _, _ = schema
    body = document["paths"]["/v1/signup"]["post"]["responses"]["201"]["content"]["application/json"]["schema"]
    workspace = component(document, body["properties"]["data"])
    api_key = workspace["properties"]["attributes"]["properties"]["api_key"]
    key = component(document, api_key["allOf"][0] if "allOf" in api_key else api_key)
    assert key["properties"]["type"]["example"] == "api_key"
    assert "key" in key["properties"]["attributes"]["properties"]


def test_lists_returned_whole_document_the_list_meta(schema):
    document, _, _ = schema
    body = document["paths"]["/v1/billing/plans"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert body["properties"]["meta"] == {"$ref": "#/components/schemas/ListMeta"}


def test_bearer_scheme_and_error_envelope_are_components(schema):
    document, _, _ = schema
    assert document["components"]["securitySchemes"]["BearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": document["components"]["securitySchemes"]["BearerAuth"]["description"],
    }
    error = document["components"]["schemas"]["ErrorEnvelope"]
    assert set(error["required"]) == {"error", "meta"}


# -- served documents and probes --------------------------------------------------------


def test_openapi_json_is_served_without_auth(anon):
    response = anon.get("/v1/openapi.json")
    assert response.status_code == 200
    assert response.json()["openapi"].startswith("3.")
    assert "/v1/api-keys" in response.json()["paths"]


def test_openapi_json_ignores_a_bad_key(anon):
    response = anon.get("/v1/openapi.json", headers={"HTTP_AUTHORIZATION": "Bearer nope"})
    assert response.status_code == 200


@pytest.mark.parametrize("path", ["/docs/", "/redoc/"])
def test_documentation_pages_are_served_without_auth(anon, path):
    response = anon.get(path)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert "/v1/openapi.json" in response.content.decode()


def test_healthz(anon):
    response = anon.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_readyz_when_everything_answers(anon):
    response = anon.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "counter_store": "ok"}}


def test_readyz_reports_an_unreachable_counter_store(anon):
    with counter_store_down():
        response = anon.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "ok", "counter_store": "unavailable"}
