"""Pipelines over HTTP: CRUD with embedded stages, the default rules, every 409 rule,
include=deal_count, lists, isolation, scopes and query budgets (contract §8)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crm.models import Deal, Pipeline, Stage
from tests.crm.helpers import ids, walk
from tests.helpers import error_code, run_in_parallel

URL = "/v1/pipelines"
STAGES = [{"name": "Open", "type": "open"}, {"name": "Won", "type": "won"}, {"name": "Lost", "type": "lost"}]


def create(api, **body):
    response = api.post(URL, {"name": "Partners", "stages": STAGES, **body})
    assert response.status_code == 201, response.content
    return response.json()["data"]


def default_pipeline(tenant) -> Pipeline:
    return Pipeline.unscoped.get(workspace=tenant.workspace, is_default=True)


def add_deal(tenant, pipeline_id, stage=None):
    stage = stage or Stage.unscoped.filter(pipeline_id=pipeline_id).order_by("position").first()
    return Deal.unscoped.create(workspace=tenant.workspace, title="Deal", pipeline_id=pipeline_id, stage=stage)


# -- create, read, update, delete ---------------------------------------------------------


def test_create_returns_the_pipeline_with_its_stages_in_order(tenant):
    response = tenant.api.post(URL, {"name": "Partners", "description": "Channel deals", "stages": STAGES})
    assert response.status_code == 201
    data = response.json()["data"]
    assert data["type"] == "pipeline" and data["id"].startswith("pp_")
    assert response["Location"] == f"/v1/pipelines/{data['id']}"
    attributes = data["attributes"]
    assert attributes["name"] == "Partners" and attributes["description"] == "Channel deals"
    assert attributes["is_default"] is False
    assert [(s["name"], s["type"], s["position"]) for s in attributes["stages"]] == [
        ("Open", "open", 0),
        ("Won", "won", 1),
        ("Lost", "lost", 2),
    ]
    assert all(s["id"].startswith("ps_") and s["pipeline_id"] == data["id"] for s in attributes["stages"])
    assert "deal_count" not in attributes and "deal_count" not in attributes["stages"][0]
    assert Stage.unscoped.filter(pipeline_id=data["id"], workspace=tenant.workspace).count() == 3


def test_create_without_stages_uses_the_default_stages(tenant):
    response = tenant.api.post(URL, {"name": "Second"})
    assert response.status_code == 201
    data = response.json()["data"]
    assert [s["name"] for s in data["attributes"]["stages"]] == [
        "Lead",
        "Qualified",
        "Proposal",
        "Negotiation",
        "Won",
        "Lost",
    ]


def test_get_patch_delete(tenant):
    pipeline = create(tenant.api)
    path = f"{URL}/{pipeline['id']}"
    assert tenant.api.get(path).json()["data"] == pipeline
    response = tenant.api.patch(path, {"name": "Renamed", "description": None})
    assert response.status_code == 200
    assert response.json()["data"]["attributes"]["name"] == "Renamed"
    assert response.json()["data"]["attributes"]["description"] is None
    assert len(response.json()["data"]["attributes"]["stages"]) == 3
    assert tenant.api.delete(path).status_code == 204
    assert tenant.api.get(path).status_code == 404
    assert not Stage.unscoped.filter(pipeline_id=pipeline["id"]).exists()


@pytest.mark.parametrize(
    ("field", "ok", "too_long"),
    [("name", "n" * 200, "n" * 201), ("description", "d" * 1000, "d" * 1001)],
)
def test_text_limits(tenant, field, ok, too_long):
    assert tenant.api.post(URL, {"name": "P", "stages": STAGES, field: ok}).status_code == 201
    before = Pipeline.unscoped.count()
    response = tenant.api.post(URL, {"name": "P", "stages": STAGES, field: too_long})
    assert response.status_code == 400
    assert response.json()["error"]["details"][0]["field"] == field
    assert Pipeline.unscoped.count() == before


def test_name_is_required_and_not_blank(tenant):
    for body in ({"stages": STAGES}, {"name": "  ", "stages": STAGES}, {"name": None, "stages": STAGES}):
        response = tenant.api.post(URL, body)
        assert response.status_code == 400
        assert response.json()["error"]["details"][0]["field"] == "name"


def test_stage_count_limits(tenant):
    def stages(n):
        return [{"name": f"S{i}", "type": "open"} for i in range(n - 2)] + STAGES[1:]

    assert tenant.api.post(URL, {"name": "Max", "stages": stages(50)}).status_code == 201
    response = tenant.api.post(URL, {"name": "Too many", "stages": stages(51)})
    assert response.status_code == 400 and response.json()["error"]["details"][0]["field"] == "stages"
    response = tenant.api.post(URL, {"name": "Empty", "stages": []})
    assert response.status_code == 400 and response.json()["error"]["details"][0]["field"] == "stages"
    one = tenant.api.post(URL, {"name": "One", "stages": [{"name": "Won", "type": "won"}]})
    assert one.status_code == 400  # one stage can not be both won and lost


@pytest.mark.parametrize("missing", ["won", "lost"])
def test_create_needs_a_won_and_a_lost_stage(tenant, missing):
    stages = [s for s in STAGES if s["type"] != missing]
    response = tenant.api.post(URL, {"name": "P", "stages": stages})
    assert response.status_code == 400
    assert response.json()["error"]["details"][0]["field"] == "stages"
    assert missing in response.json()["error"]["details"][0]["message"]


def test_stage_errors_name_the_item_with_a_dotted_field(tenant):
    stages = [STAGES[0], {"name": "Won", "type": "maybe"}, {"name": "", "type": "lost"}, {"name": "x" * 101}]
    response = tenant.api.post(URL, {"name": "P", "stages": stages})
    assert response.status_code == 400
    fields = {detail["field"] for detail in response.json()["error"]["details"]}
    assert fields == {"stages.1.type", "stages.2.name", "stages.3.name"}
    unknown = tenant.api.post(URL, {"name": "P", "stages": [*STAGES, {"name": "X", "colour": "red"}]})
    assert unknown.json()["error"]["details"][0]["field"] == "stages.3.colour"


def test_stage_names_at_the_limits(tenant):
    ok = [{"name": "x", "type": "open"}, {"name": "y" * 100, "type": "won"}, STAGES[2]]
    assert tenant.api.post(URL, {"name": "P", "stages": ok}).status_code == 201


def test_unknown_fields_are_refused(tenant):
    response = tenant.api.post(URL, {"name": "P", "stages": STAGES, "color": "red"})
    assert response.status_code == 400 and response.json()["error"]["details"][0]["field"] == "color"


def test_patch_cannot_change_stages(tenant):
    pipeline = create(tenant.api)
    response = tenant.api.patch(f"{URL}/{pipeline['id']}", {"stages": STAGES})
    assert response.status_code == 400 and response.json()["error"]["details"][0]["field"] == "stages"
    assert Stage.unscoped.filter(pipeline_id=pipeline["id"]).count() == 3


# -- the default pipeline ------------------------------------------------------------------


def test_create_as_default_moves_the_default(tenant):
    old = default_pipeline(tenant)
    new = create(tenant.api, is_default=True)
    assert new["attributes"]["is_default"] is True
    assert default_pipeline(tenant).pk == new["id"]
    assert tenant.api.get(f"{URL}/{old.pk}").json()["data"]["attributes"]["is_default"] is False


def test_patch_is_default_true_moves_the_default(tenant):
    old = default_pipeline(tenant)
    new = create(tenant.api)
    response = tenant.api.patch(f"{URL}/{new['id']}", {"is_default": True})
    assert response.status_code == 200 and response.json()["data"]["attributes"]["is_default"] is True
    assert list(Pipeline.unscoped.filter(workspace=tenant.workspace, is_default=True)) == [
        Pipeline.unscoped.get(pk=new["id"])
    ]
    before = old.updated_at
    old.refresh_from_db()
    assert old.is_default is False and old.updated_at > before  # `updated_after` syncs see the change
    again = tenant.api.patch(f"{URL}/{new['id']}", {"is_default": True})  # already the default: no change
    assert again.status_code == 200 and default_pipeline(tenant).pk == new["id"]


def test_patch_is_default_false_is_refused(tenant):
    for pipeline_id in (default_pipeline(tenant).pk, create(tenant.api)["id"]):
        response = tenant.api.patch(f"{URL}/{pipeline_id}", {"is_default": False, "name": "Changed"})
        assert response.status_code == 400
        assert response.json()["error"]["details"][0]["field"] == "is_default"
    assert default_pipeline(tenant).name == "Sales Pipeline"


def test_the_default_moves_only_inside_the_workspace(tenant, other_tenant):
    theirs = default_pipeline(other_tenant)
    create(tenant.api, is_default=True)
    assert default_pipeline(other_tenant) == theirs


# -- 409 rules -----------------------------------------------------------------------------


def test_the_last_pipeline_cannot_be_deleted(tenant):
    response = tenant.api.delete(f"{URL}/{default_pipeline(tenant).pk}")
    assert response.status_code == 409 and error_code(response) == "CONFLICT"
    assert "last pipeline" in response.json()["error"]["message"]
    assert Pipeline.unscoped.filter(workspace=tenant.workspace).count() == 1


def test_the_default_pipeline_cannot_be_deleted(tenant):
    create(tenant.api)
    default = default_pipeline(tenant)
    response = tenant.api.delete(f"{URL}/{default.pk}")
    assert response.status_code == 409 and "default" in response.json()["error"]["message"]
    assert Pipeline.unscoped.filter(pk=default.pk).exists()


def test_a_pipeline_with_deals_cannot_be_deleted(tenant):
    pipeline = create(tenant.api)
    deal = add_deal(tenant, pipeline["id"])
    response = tenant.api.delete(f"{URL}/{pipeline['id']}")
    assert response.status_code == 409 and "deals" in response.json()["error"]["message"]
    assert Stage.unscoped.filter(pipeline_id=pipeline["id"]).count() == 3
    deal.delete()
    assert tenant.api.delete(f"{URL}/{pipeline['id']}").status_code == 204


# -- include=deal_count ----------------------------------------------------------------------


def test_include_deal_count_on_the_pipeline_and_each_stage(tenant, other_tenant):
    pipeline = create(tenant.api)
    stages = list(Stage.unscoped.filter(pipeline_id=pipeline["id"]).order_by("position"))
    add_deal(tenant, pipeline["id"], stages[0])
    add_deal(tenant, pipeline["id"], stages[0])
    add_deal(tenant, pipeline["id"], stages[2])
    add_deal(other_tenant, default_pipeline(other_tenant).pk)
    attributes = tenant.api.get(f"{URL}/{pipeline['id']}", {"include": "deal_count"}).json()["data"]["attributes"]
    assert attributes["deal_count"] == 3
    assert [s["deal_count"] for s in attributes["stages"]] == [2, 0, 1]
    listed = tenant.api.get(URL, {"include": "deal_count"}).json()["data"]
    assert {p["id"]: p["attributes"]["deal_count"] for p in listed} == {
        pipeline["id"]: 3,
        default_pipeline(tenant).pk: 0,
    }


def test_include_deal_count_needs_deals_read(tenant):
    pipeline = default_pipeline(tenant)
    api = tenant.client_with_scopes("pipelines:read")
    response = api.get(f"{URL}/{pipeline.pk}", {"include": "deal_count"})
    assert response.status_code == 403 and response.json()["error"]["required_scope"] == "deals:read"
    assert api.get(URL, {"include": "deal_count"}).status_code == 403
    both = tenant.client_with_scopes("pipelines:read", "deals:read")
    assert both.get(URL, {"include": "deal_count"}).status_code == 200


def test_unknown_include_is_refused(tenant):
    response = tenant.api.get(URL, {"include": "deals"})
    assert response.status_code == 400 and response.json()["error"]["details"][0]["field"] == "include"


# -- lists -----------------------------------------------------------------------------------


def test_list_sorts_and_walks_every_pipeline_once_under_inserts(tenant):
    for i in range(6):
        create(tenant.api, name=f"P{i}")
    added = []

    def insert(page):
        added.append(create(tenant.api, name=f"Late{page}")["id"])

    seen = walk(tenant.api, URL, {"limit": 2, "sort": "name"}, between_pages=insert)
    assert len(seen) == len(set(seen))
    everyone = set(Pipeline.unscoped.filter(workspace=tenant.workspace).values_list("pk", flat=True))
    assert everyone - set(added) <= set(seen)
    by_name = ids(tenant.api.get(URL, {"sort": "-name", "limit": 100}))
    names = [Pipeline.unscoped.get(pk=pk).name for pk in by_name]
    assert names == sorted(names, reverse=True)


def test_list_filters_by_created_window_and_refuses_unknown_params(tenant):
    assert tenant.api.get(URL, {"created_after": "2999-01-01T00:00:00Z"}).json()["data"] == []
    response = tenant.api.get(URL, {"is_default": "true"})
    assert response.status_code == 400 and response.json()["error"]["details"][0]["field"] == "is_default"
    assert tenant.api.get(URL, {"sort": "position"}).status_code == 400


# -- isolation and scopes ------------------------------------------------------------------


def test_another_workspaces_pipeline_is_not_found(tenant, other_tenant):
    theirs = create(other_tenant.api)
    path = f"{URL}/{theirs['id']}"
    assert tenant.api.get(path).status_code == 404
    assert tenant.api.patch(path, {"name": "Mine"}).status_code == 404
    assert tenant.api.patch(path, {"is_default": True}).status_code == 404
    assert tenant.api.delete(path).status_code == 404
    assert theirs["id"] not in ids(tenant.api.get(URL))
    assert Pipeline.unscoped.get(pk=theirs["id"]).name == "Partners"
    assert tenant.api.get(f"{URL}/pp_nope").status_code == 404


@pytest.mark.parametrize(
    ("method", "scope", "allowed"),
    [("get", "pipelines:read", True), ("get", "deals:read", False), ("post", "pipelines:read", False)],
)
def test_scopes(tenant, method, scope, allowed):
    api = tenant.client_with_scopes(scope)
    response = api.get(URL) if method == "get" else api.post(URL, {"name": "P", "stages": STAGES})
    assert (response.status_code < 400) is allowed
    if not allowed:
        assert error_code(response) == "INSUFFICIENT_SCOPE"
    write = tenant.client_with_scopes("pipelines:write")
    assert write.post(URL, {"name": "P", "stages": STAGES}).status_code == 201


# -- query budget ----------------------------------------------------------------------------


def count_queries(api, params):
    with CaptureQueriesContext(connection) as queries:
        response = api.get(URL, params)
    assert response.status_code == 200
    return len(queries), len(response.json()["data"])


def test_a_page_costs_the_same_queries_whatever_its_size(tenant):
    for i in range(9):
        pipeline = create(tenant.api, name=f"P{i}")
        add_deal(tenant, pipeline["id"])
    params = {"include": "deal_count"}
    few, rows = count_queries(tenant.api, {**params, "limit": 1})
    many, more_rows = count_queries(tenant.api, {**params, "limit": 100})
    assert (rows, more_rows) == (1, 10)
    assert few == many


# -- races (PostgreSQL) ------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_pipeline_delete_racing_a_deal_create_ends_consistent(tenant):
    outcomes = set()
    for round_ in range(6):
        pipeline = create(tenant.api, name=f"Doomed{round_}")
        created, deleted = run_in_parallel(
            lambda pipeline=pipeline: tenant.api.post("/v1/deals", {"title": "D", "pipeline_id": pipeline["id"]}),
            lambda pipeline=pipeline: tenant.api.delete(f"{URL}/{pipeline['id']}"),
        )
        outcome = (created.status_code, deleted.status_code)
        assert outcome in {(201, 409), (422, 204)}, outcome
        outcomes.add(outcome)
        exists = Pipeline.unscoped.filter(pk=pipeline["id"]).exists()
        assert exists is (outcome == (201, 409))
        assert Deal.unscoped.filter(pipeline_id=pipeline["id"]).count() == (1 if exists else 0)
    assert not Deal.unscoped.exclude(pipeline__in=Pipeline.unscoped.all()).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_default_moves_leave_exactly_one_default(tenant):
    pipelines = [create(tenant.api, name=f"P{i}") for i in range(4)]
    for _ in range(3):  # each round starts from the last winner, whose row the others must unset
        results = run_in_parallel(
            *[(lambda p=p: tenant.api.patch(f"{URL}/{p['id']}", {"is_default": True})) for p in pipelines]
        )
        assert [r.status_code for r in results] == [200] * len(pipelines)
        assert Pipeline.unscoped.filter(workspace=tenant.workspace, is_default=True).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_deleting_a_pipeline_racing_making_it_the_default_never_loses_the_default(tenant):
    for _ in range(4):
        pipeline = create(tenant.api)
        made_default, deleted = run_in_parallel(
            lambda pipeline=pipeline: tenant.api.patch(f"{URL}/{pipeline['id']}", {"is_default": True}),
            lambda pipeline=pipeline: tenant.api.delete(f"{URL}/{pipeline['id']}"),
        )
        assert (made_default.status_code, deleted.status_code) in {(200, 409), (404, 204)}
        assert Pipeline.unscoped.filter(workspace=tenant.workspace, is_default=True).count() == 1
