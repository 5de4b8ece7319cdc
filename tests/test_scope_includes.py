"""Include scopes (contract §3: "`include=` of another resource also needs that resource's read
scope"), generated from every view's `include_options`, on the list and the detail route.

`tests/test_scope_matrix.py` proves each route and method needs its own scope; this file adds the
second scope an include asks for: without it 403 naming it, with it 200 and the include shown.
"""

import pytest

from apikeys.scopes import required_scope
from tests.helpers import error_code
from tests.isolation_fixtures import populate, unthrottled
from tests.routes import api_routes
from tests.test_isolation_matrix import PATH_KINDS, action_of, fill


@pytest.fixture(autouse=True)
def _unthrottled():
    with unthrottled():
        yield


CASES = [
    pytest.param(route, name, extra, id=f"{route.template}?include={name}")
    for route in api_routes()
    if action_of(route, "GET") in ("list", "retrieve")
    for name, extra in (getattr(route.view_class, "include_options", None) or {}).items()
]


def test_the_includes_are_found():
    found = {(route.template, name) for route, name, _ in (case.values for case in CASES)}
    assert ("/v1/contacts/{pk}", "company") in found
    assert ("/v1/deals", "stage") in found
    assert ("/v1/pipelines/{pipeline_pk}/stages", "deal_count") in found
    assert len(found) >= 18


@pytest.mark.parametrize("route,name,extra", CASES)
def test_an_include_needs_its_resources_read_scope(tenant, route, name, extra):
    world = populate(tenant, "Acme")
    path = fill(route.template, {param: world.ids[kind] for param, kind in PATH_KINDS[route.template].items()})
    own = required_scope(route.view_class.scope_resource, "GET")
    scopes = [own] if extra is None else [own, extra]
    allowed = tenant.client_with_scopes(*scopes).get(path, {"include": name})
    assert allowed.status_code == 200, allowed.content
    data = allowed.json()["data"]
    attributes = (data[0] if isinstance(data, list) else data)["attributes"]
    assert name in attributes or name in str(attributes), attributes
    if extra is None:
        return
    refused = tenant.client_with_scopes(own).get(path, {"include": name})
    assert refused.status_code == 403 and error_code(refused) == "INSUFFICIENT_SCOPE"
    assert f"'{extra}'" in refused.json()["error"]["message"]
