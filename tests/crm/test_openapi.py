"""The schema documents the CRM lists' filters, sorts and includes."""

import pytest


@pytest.fixture
def schema(anon):
    response = anon.get("/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


def parameters(schema, path: str, method: str = "get") -> dict:
    return {p["name"]: p for p in schema["paths"][path][method].get("parameters", [])}


@pytest.mark.parametrize(
    ("path", "include", "scope"),
    [
        ("/v1/contacts", "company", "companies:read"),
        ("/v1/contacts/{id}", "company", "companies:read"),
        ("/v1/companies", "contacts", "contacts:read"),
        ("/v1/companies/{id}", "contact_count", "contacts:read"),
    ],
)
def test_include_is_documented_with_its_scope(schema, path, include, scope):
    description = parameters(schema, path)["include"]["description"]
    assert f"`{include}`" in description and scope in description


def test_include_is_not_offered_on_writes(schema):
    assert "include" not in parameters(schema, "/v1/contacts/{id}", "patch")


@pytest.mark.parametrize(
    ("path", "filters"),
    [
        ("/v1/contacts", {"email", "first_name", "last_name", "company_id", "source", "tags"}),
        ("/v1/companies", {"name", "domain", "industry", "size", "tags"}),
    ],
)
def test_list_filters_and_sorts_are_documented(schema, path, filters):
    documented = parameters(schema, path)
    assert filters | {"limit", "cursor", "sort", "created_after"} <= set(documented)
