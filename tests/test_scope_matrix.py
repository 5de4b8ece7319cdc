"""The scope matrix (contract §3), generated from the URL configuration: every `/v1` route and
method, including routes added after this file was written, needs exactly its scope.

For each one, a key holding every scope except the needed one gets 403 INSUFFICIENT_SCOPE naming
it, so does a key with only an unrelated scope, and a key with just the needed scope gets past
the check. Path ids are well-formed fakes: the scope check comes before the lookup (§2).
"""

import pytest

from apikeys.permissions import ScopePermission
from apikeys.scopes import PUBLIC, SCOPES, grants, required_scope
from nodestash.docs_views import OpenApiSchemaView
from tests.helpers import error_code
from tests.routes import api_routes
from workspaces.tenancy.principal import Principal
from workspaces.views import SignupView

# The only /v1 views open without a key; anything else declaring PUBLIC fails below.
PUBLIC_VIEWS = {SignupView, OpenApiSchemaView}

ROUTES = api_routes()
GUARDED = [
    pytest.param(route, method, id=f"{method} {route.template}")
    for route in ROUTES
    if route.scope_resource != PUBLIC
    for method in route.methods
]


def call(client, method: str, path: str):
    if method == "GET":
        return client.get(path)
    if method == "DELETE":
        return client.delete(path)
    return getattr(client, method.lower())(path, {})


def scope_resource(route) -> str:
    resource = route.scope_resource  # an `@action(scope_resource=…)` overrides the view's
    assert resource is not None, f"{route.view_class.__name__} ({route.template}) does not declare scope_resource"
    return resource


def test_the_matrix_found_the_foundation_routes():
    paths = {route.path for route in ROUTES}
    assert {"/v1/workspace", "/v1/api-keys", "/v1/billing/plans", "/v1/billing/subscription"} <= paths
    assert len(GUARDED) >= 9


@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_every_route_declares_its_scope_and_uses_the_scope_permission(route):
    assert route.view_class is not None, f"{route.template} is not a DRF view"
    resource = scope_resource(route)
    if resource == PUBLIC:
        assert route.view_class in PUBLIC_VIEWS, f"{route.view_class.__name__} is public but not on the allowlist"
    else:
        for method in route.methods:
            required_scope(resource, method)  # raises for an unknown resource name
        assert ScopePermission in route.view_class.permission_classes, route.view_class.__name__


@pytest.mark.parametrize("route,method", GUARDED)
def test_every_scope_but_the_needed_one_is_refused(tenant, route, method):
    needed = required_scope(scope_resource(route), method)
    others = [scope for scope in SCOPES if not grants([scope], needed)]
    response = call(tenant.client_with_scopes(*others), method, route.path)
    assert response.status_code == 403, response.content
    assert error_code(response) == "INSUFFICIENT_SCOPE"
    assert f"'{needed}'" in response.json()["error"]["message"]


@pytest.mark.parametrize("route,method", GUARDED)
def test_an_unrelated_scope_is_refused(tenant, route, method):
    needed = required_scope(scope_resource(route), method)
    family = needed.split(":")[0]
    unrelated = next(scope for scope in SCOPES if scope != "*" and scope.split(":")[0] != family)
    response = call(tenant.client_with_scopes(unrelated), method, route.path)
    assert response.status_code == 403 and error_code(response) == "INSUFFICIENT_SCOPE"


@pytest.mark.parametrize("route,method", GUARDED)
def test_the_needed_scope_alone_gets_past_the_check(tenant, route, method):
    needed = required_scope(scope_resource(route), method)
    response = call(tenant.client_with_scopes(needed), method, route.path)
    assert response.status_code not in (401, 403), response.content
    assert response.status_code < 500, response.content


@pytest.mark.parametrize("route,method", GUARDED)
def test_without_a_key_the_answer_is_missing_auth(anon, route, method):
    response = call(anon, method, route.path)
    assert response.status_code == 401 and error_code(response) == "MISSING_AUTH"


@pytest.mark.parametrize(
    "scopes,scope,expected",
    [
        ({"*"}, "deals:write", True),
        ({"custom_fields"}, "custom_fields:read", True),
        ({"custom_fields:read"}, "custom_fields", False),
        ({"contacts:write"}, "contacts:read", False),
        ({"contacts:read"}, "contacts:read", True),
    ],
)
def test_principal_has_scope_follows_the_registry(scopes, scope, expected):
    principal = Principal(workspace=None, scopes=frozenset(scopes))
    assert principal.has_scope(scope) is expected is grants(scopes, scope)
