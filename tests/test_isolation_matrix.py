"""The isolation matrix (contract §2 "an id that exists in another workspace behaves exactly like
one that exists nowhere"), generated from the URL configuration.

Two workspaces, A (Acme) and B (Globex), each populated through the API with one of every
resource. For every route and method, with A's key:
- B's ids in the path → 404 with the same body as a well-formed id that exists nowhere;
- B's ids in body reference fields → 422, the same answer as a nonexistent id;
- filtering by B's ids (id filters and `cf.` filters) → an empty list;
- no response to A (lists, every include, custom field values, counts) holds B's ids or data;
- a cursor made in A is a 400 in B;
and B's rows (every table) are exactly as before. A route or a body reference field added
later without an entry in the tables below fails `test_the_tables_cover_every_route`.
"""

import re

import pytest

from customfields.views import CustomFieldsViewSetMixin
from nodestash.filtering import PrefixedIdFilter
from nodestash.pagination import KeysetPagination
from tests.helpers import error_code
from tests.isolation_fixtures import CF_SLUG, KIND_OF_PREFIX, missing_id, populate, snapshot, unthrottled
from tests.routes import api_routes
from workspaces.tenancy.fields import WorkspaceRelatedField


@pytest.fixture(autouse=True)
def _unthrottled():
    with unthrottled():
        yield


ROUTES = api_routes()
PARAM = re.compile(r"\{([^}]+)\}")

# The kind of record every path parameter of every /v1 route names (complete: checked below).
PATH_KINDS: dict[str, dict[str, str]] = {
    "/v1/signup": {},
    "/v1/workspace": {},
    "/v1/billing/plans": {},
    "/v1/billing/subscription": {},
    "/v1/openapi.json": {},
    "/v1/api-keys": {},
    "/v1/api-keys/{pk}": {"pk": "api_key"},
    "/v1/api-keys/{pk}/rotate": {"pk": "api_key"},
    "/v1/contacts": {},
    "/v1/contacts/{pk}": {"pk": "contact"},
    "/v1/contacts/{pk}/custom-fields": {"pk": "contact"},
    "/v1/companies": {},
    "/v1/companies/{pk}": {"pk": "company"},
    "/v1/companies/{pk}/custom-fields": {"pk": "company"},
    "/v1/deals": {},
    "/v1/deals/{pk}": {"pk": "deal"},
    "/v1/deals/{pk}/custom-fields": {"pk": "deal"},
    "/v1/pipelines": {},
    "/v1/pipelines/{pk}": {"pk": "pipeline"},
    "/v1/pipelines/{pipeline_pk}/stages": {"pipeline_pk": "pipeline"},
    "/v1/pipelines/{pipeline_pk}/stages/{pk}": {"pipeline_pk": "pipeline", "pk": "stage"},
    "/v1/activities": {},
    "/v1/activities/{pk}": {"pk": "activity"},
    "/v1/activities/{pk}/custom-fields": {"pk": "activity"},
    "/v1/custom-fields": {},
    "/v1/custom-fields/{pk}": {"pk": "custom_field"},
}

# Body fields that reference another record, per written route (complete: checked against the
# serializers' WorkspaceRelatedFields below), and a valid body to add them to.
BODY_REFS: dict[str, dict[str, str]] = {
    "/v1/contacts": {"company_id": "company"},
    "/v1/deals": {
        "pipeline_id": "pipeline",
        "stage_id": "stage",
        "contact_id": "contact",
        "company_id": "company",
    },
    "/v1/activities": {"contact_id": "contact", "company_id": "company", "deal_id": "deal"},
}
VALID_CREATE = {
    "/v1/contacts": {"first_name": "Probe"},
    "/v1/deals": {"title": "Probe"},
    "/v1/activities": {"type": "note"},
}

# A harmless change per kind, sent with foreign ids: were the lookup to succeed, B would change.
PATCH_BODIES = {
    "api_key": {"name": "Pwned"},
    "contact": {"first_name": "Pwned"},
    "company": {"name": "Pwned"},
    "deal": {"title": "Pwned"},
    "pipeline": {"name": "Pwned"},
    "stage": {"name": "Pwned"},
    "activity": {"subject": "Pwned"},
    "custom_field": {"name": "Pwned"},
}


@pytest.fixture
def worlds(tenant, other_tenant):
    return populate(tenant, "Acme"), populate(other_tenant, "Globex")


def params_of(template: str) -> list[str]:
    return PARAM.findall(template)


def fill(template: str, ids: dict[str, str]) -> str:
    return PARAM.sub(lambda match: ids[match[1]], template)


def call(api, method: str, path: str, body=None, params=None):
    if method == "GET":
        return api.get(path, params)
    if method == "DELETE":
        return api.delete(path)
    return getattr(api, method.lower())(path, body)


def action_of(route, method: str) -> str | None:
    return (getattr(route.callback, "actions", None) or {}).get(method.lower())


def probe_body(route, method: str):
    if method in ("GET", "DELETE"):
        return None
    if method == "PUT":
        return {"fields": {CF_SLUG: "Pwned"}}
    if method == "PATCH":
        return PATCH_BODIES[PATH_KINDS[route.template]["pk"]]
    if route.template.endswith("/rotate"):
        return {"grace_period_seconds": 0}
    return {"name": "Pwned"}  # POST stages under a foreign pipeline


def without_request_id(response) -> tuple[int, dict]:
    body = response.json()
    body["meta"].pop("request_id")
    return response.status_code, body


def path_scenarios(template: str, world_a, world_b):
    """(foreign path, nonexistent path) pairs: every parameter foreign, then each one alone
    foreign with the others A's own (B's stage under A's pipeline)."""
    kinds = PATH_KINDS[template]
    own = {param: world_a.ids[kind] for param, kind in kinds.items()}
    sets = [set(kinds)] + ([{param} for param in kinds] if len(kinds) > 1 else [])
    for foreign_params in sets:
        foreign = {**own, **{p: world_b.ids[kinds[p]] for p in foreign_params}}
        missing = {**own, **{p: missing_id(kinds[p]) for p in foreign_params}}
        yield fill(template, foreign), fill(template, missing)


def leaks(response, world_b) -> list[str]:
    text = response.content.decode()
    found = [value for value in world_b.all_ids() if value in text]
    return found + ([world_b.marker] if world_b.marker in text else [])


# -- the tables are complete ------------------------------------------------------------------


def test_the_tables_cover_every_route():
    templates = {route.template for route in ROUTES}
    assert templates == set(PATH_KINDS), "add new routes to PATH_KINDS (and BODY_REFS if they take ids)"
    for route in ROUTES:
        assert set(params_of(route.template)) == set(PATH_KINDS[route.template]), route.template
        serializer_class = getattr(route.view_class, "serializer_class", None)
        for method in route.methods:
            if action_of(route, method) not in ("create", "partial_update") or serializer_class is None:
                continue
            declared = getattr(serializer_class, "_declared_fields", {})
            refs = {
                name: KIND_OF_PREFIX[field.prefix]
                for name, field in declared.items()
                if isinstance(field, WorkspaceRelatedField)
            }
            list_template = route.template.removesuffix("/{pk}")
            assert refs == BODY_REFS.get(list_template, {}), f"{method} {route.template}: body references {refs}"


# -- paths ------------------------------------------------------------------------------------


def test_foreign_ids_in_paths_are_not_found_like_ids_that_exist_nowhere(worlds):
    a, b = worlds
    before_a, before_b = snapshot(a.tenant.workspace.pk), snapshot(b.tenant.workspace.pk)
    problems, checked = [], 0
    for route in ROUTES:
        if not PATH_KINDS[route.template]:
            continue
        for method in route.methods:
            body = probe_body(route, method)
            for foreign_path, missing_path in path_scenarios(route.template, a, b):
                foreign = call(a.api, method, foreign_path, body)
                missing = call(a.api, method, missing_path, body)
                checked += 1
                if foreign.status_code != 404 or error_code(foreign) != "NOT_FOUND":
                    problems.append(f"{method} {foreign_path}: {foreign.status_code} {foreign.content[:200]}")
                elif without_request_id(foreign) != without_request_id(missing):
                    problems.append(f"{method} {route.template}: {foreign.json()} differs from {missing.json()}")
    assert not problems, "\n".join(problems)
    assert checked >= 30
    assert snapshot(b.tenant.workspace.pk) == before_b
    assert snapshot(a.tenant.workspace.pk) == before_a


# -- bodies -----------------------------------------------------------------------------------


def body_cases(world_a):
    """(method, path, valid body, field, kind) for every reference field of every written route."""
    for template, refs in BODY_REFS.items():
        kind_of_list = {"/v1/contacts": "contact", "/v1/deals": "deal", "/v1/activities": "activity"}[template]
        for field, kind in refs.items():
            yield "POST", template, VALID_CREATE[template], field, kind
            yield "PATCH", f"{template}/{world_a.ids[kind_of_list]}", {}, field, kind


def test_foreign_ids_in_bodies_are_unprocessable_like_ids_that_exist_nowhere(worlds):
    a, b = worlds
    before_a, before_b = snapshot(a.tenant.workspace.pk), snapshot(b.tenant.workspace.pk)
    problems = []
    for method, path, body, field, kind in body_cases(a):
        foreign = call(a.api, method, path, {**body, field: b.ids[kind]})
        missing = call(a.api, method, path, {**body, field: missing_id(kind)})
        if foreign.status_code != 422 or error_code(foreign) != "UNPROCESSABLE_ENTITY":
            problems.append(f"{method} {path} {field}: {foreign.status_code} {foreign.content[:200]}")
            continue
        foreign_error = foreign.json()["error"]
        missing_error = missing.json()["error"]
        if foreign_error["message"].replace(b.ids[kind], "ID") != missing_error["message"].replace(
            missing_id(kind), "ID"
        ) or {**foreign_error, "message": ""} != {**missing_error, "message": ""}:
            problems.append(f"{method} {path} {field}: {foreign_error} differs from {missing_error}")
        if leaks(foreign, b) != [b.ids[kind]]:  # the id the client sent, echoed; nothing else of B
            problems.append(f"{method} {path} {field}: reveals {leaks(foreign, b)}")
    assert not problems, "\n".join(problems)
    assert snapshot(b.tenant.workspace.pk) == before_b
    assert snapshot(a.tenant.workspace.pk) == before_a


def test_a_foreign_stage_under_an_own_pipeline_in_a_deal_body_is_unprocessable(worlds):
    a, b = worlds
    before_b = snapshot(b.tenant.workspace.pk)
    body = {"title": "Probe", "pipeline_id": a.ids["pipeline"], "stage_id": b.ids["stage"]}
    response = a.api.post("/v1/deals", body)
    assert response.status_code == 422 and error_code(response) == "UNPROCESSABLE_ENTITY"
    response = a.api.patch(f"/v1/deals/{a.ids['deal']}", {"pipeline_id": b.ids["pipeline"]})
    assert response.status_code == 422
    assert snapshot(b.tenant.workspace.pk) == before_b


# -- filters ----------------------------------------------------------------------------------


def list_routes():
    for route in ROUTES:
        if action_of(route, "GET") == "list" and route.view_class.pagination_class is KeysetPagination:
            yield route


def id_filters(route) -> dict[str, str]:
    filterset = getattr(route.view_class, "filterset_class", None)
    filters = filterset.base_filters.items() if filterset else ()
    return {name: KIND_OF_PREFIX[f.extra["prefix"]] for name, f in filters if isinstance(f, PrefixedIdFilter)}


def own_path(route, world) -> str:
    return fill(route.template, {param: world.ids[kind] for param, kind in PATH_KINDS[route.template].items()})


def test_filtering_by_foreign_ids_finds_nothing(worlds):
    a, b = worlds
    problems, checked = [], 0
    for route in list_routes():
        path = own_path(route, a)
        for name, kind in id_filters(route).items():
            checked += 1
            own = a.api.get(path, {name: a.ids[kind]})
            foreign = a.api.get(path, {name: b.ids[kind]})
            if own.status_code != 200 or not own.json()["data"]:
                problems.append(f"{path}?{name}=<own id> found nothing: the check below would prove nothing")
            if foreign.status_code != 200 or foreign.json()["data"] != []:
                problems.append(f"{path}?{name}=<B's id>: {foreign.status_code} {foreign.content[:200]}")
    assert not problems, "\n".join(problems)
    assert checked >= 8


def test_custom_field_filters_never_match_another_workspaces_values(worlds):
    a, b = worlds
    problems = []
    for route in list_routes():
        if not issubclass(route.view_class, CustomFieldsViewSetMixin):
            continue
        entity = route.view_class.serializer_class.custom_fields_entity_type
        for world, expect_rows in ((a, True), (b, False)):
            value = f"{world.marker}-{entity}-code"
            for params in ({f"cf.{CF_SLUG}": value}, {f"cf.{CF_SLUG}.contains": world.marker}):
                response = a.api.get(route.path, params)
                if response.status_code != 200 or bool(response.json()["data"]) != expect_rows:
                    problems.append(f"{route.path}?{params} ({world.marker}): {response.content[:200]}")
    assert not problems, "\n".join(problems)


# -- responses never carry B's data ------------------------------------------------------------


def get_variants(route, world):
    """The GET requests of a route with A's ids: plain, and with every include at once."""
    path = own_path(route, world)
    yield path, None
    includes = tuple(getattr(route.view_class, "include_options", {}) or ())
    if includes and action_of(route, "GET") in ("list", "retrieve"):
        yield path, {"include": ",".join(includes)}


def test_no_response_to_a_reveals_anything_of_b(worlds):
    a, b = worlds
    problems, shown_own = [], 0
    for route in ROUTES:
        if "GET" not in route.methods:
            continue
        for path, params in get_variants(route, a):
            response = a.api.get(path, params)
            if response.status_code != 200:
                problems.append(f"GET {path} {params}: {response.status_code} {response.content[:200]}")
            elif leaks(response, b):
                problems.append(f"GET {path} {params} reveals {leaks(response, b)}")
            shown_own += a.marker in response.content.decode()
    assert not problems, "\n".join(problems)
    assert shown_own >= 15  # the responses did hold data, A's own
    assert leaks(b.api.get("/v1/contacts"), b)  # and the detector does see B's data where it belongs


def test_counts_count_only_the_workspaces_own_records(worlds):
    a, _ = worlds
    company = a.api.get(f"/v1/companies/{a.ids['company']}", {"include": "contact_count,contacts"}).json()
    assert company["data"]["attributes"]["contact_count"] == 2
    assert len(company["data"]["attributes"]["contacts"]) == 2
    pipeline = a.api.get(f"/v1/pipelines/{a.ids['pipeline']}", {"include": "deal_count"}).json()["data"]
    assert pipeline["attributes"]["deal_count"] == 1
    assert sum(stage["deal_count"] for stage in pipeline["attributes"]["stages"]) == 1
    stages = a.api.get(f"/v1/pipelines/{a.ids['pipeline']}/stages", {"include": "deal_count"}).json()["data"]
    assert sum(stage["attributes"]["deal_count"] for stage in stages) == 1
    listed = a.api.get("/v1/companies", {"include": "contact_count"}).json()["data"]
    assert sorted(item["attributes"]["contact_count"] for item in listed) == [0, 2]


def test_custom_field_values_are_the_records_own(worlds):
    a, b = worlds
    for kind in ("contact", "company", "deal", "activity"):
        plural = {"company": "companies", "activity": "activities"}.get(kind, f"{kind}s")
        values = a.api.get(f"/v1/{plural}/{a.ids[kind]}/custom-fields").json()["data"]
        assert [value["attributes"]["value"] for value in values] == [f"Acme-{kind}-code"]
        record = a.api.get(f"/v1/{plural}/{a.ids[kind]}").json()["data"]["attributes"]
        assert record["custom_fields"][CF_SLUG] == f"Acme-{kind}-code"
        assert b.marker not in str(record)


# -- cursors ----------------------------------------------------------------------------------


def test_a_cursor_made_in_one_workspace_is_refused_in_another(worlds):
    a, b = worlds
    problems, checked = [], 0
    for route in list_routes():
        first = a.api.get(own_path(route, a), {"limit": 1})
        cursor = first.json()["meta"]["pagination"]["next_cursor"]
        if cursor is None:
            problems.append(f"{route.template}: A has one row only, no cursor to test")
            continue
        checked += 1
        if a.api.get(own_path(route, a), {"limit": 1, "cursor": cursor}).status_code != 200:
            problems.append(f"{route.template}: A's own cursor is refused")
        foreign = b.api.get(own_path(route, b), {"limit": 1, "cursor": cursor})
        if foreign.status_code != 400 or foreign.json()["error"]["details"][0]["field"] != "cursor":
            problems.append(f"{route.template}: A's cursor in B gave {foreign.status_code} {foreign.content[:200]}")
        elif leaks(foreign, a):
            problems.append(f"{route.template}: the refusal reveals {leaks(foreign, a)}")
    assert not problems, "\n".join(problems)
    assert checked >= 8
