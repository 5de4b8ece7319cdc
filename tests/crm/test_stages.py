"""Stages over HTTP under /v1/pipelines/{id}/stages: CRUD, dense positions through inserts,
moves and deletes, the last won/lost rules, deals following a retyped stage, isolation and
scopes (contract §8)."""

import pytest

from crm.models import Deal, Pipeline, Stage
from tests.crm.helpers import ids, walk
from tests.helpers import error_code, run_in_parallel


def pipeline_of(tenant) -> Pipeline:
    return Pipeline.unscoped.get(workspace=tenant.workspace, is_default=True)


def url(pipeline, stage_id=None) -> str:
    base = f"/v1/pipelines/{pipeline.pk}/stages"
    return f"{base}/{stage_id}" if stage_id else base


def names_by_position(pipeline) -> list[str]:
    stages = list(Stage.unscoped.filter(pipeline=pipeline).order_by("position"))
    assert [s.position for s in stages] == list(range(len(stages)))  # dense 0..n-1
    return [s.name for s in stages]


def stage_named(pipeline, name) -> Stage:
    return Stage.unscoped.get(pipeline=pipeline, name=name)


DEFAULT = ["Lead", "Qualified", "Proposal", "Negotiation", "Won", "Lost"]


# -- CRUD ----------------------------------------------------------------------------------


def test_list_is_ordered_by_position(tenant):
    pipeline = pipeline_of(tenant)
    response = tenant.api.get(url(pipeline))
    assert response.status_code == 200
    data = response.json()["data"]
    assert [s["attributes"]["name"] for s in data] == DEFAULT
    assert data[0]["type"] == "pipeline_stage"
    assert data[0]["attributes"]["pipeline_id"] == pipeline.pk
    assert [s["attributes"]["name"] for s in tenant.api.get(url(pipeline), {"sort": "-position"}).json()["data"]] == (
        DEFAULT[::-1]
    )


def test_create_appends_by_default(tenant):
    pipeline = pipeline_of(tenant)
    response = tenant.api.post(url(pipeline), {"name": "Follow-up"})
    assert response.status_code == 201
    data = response.json()["data"]
    assert response["Location"] == f"/v1/pipelines/{pipeline.pk}/stages/{data['id']}"
    assert data["attributes"]["position"] == 6 and data["attributes"]["type"] == "open"
    assert names_by_position(pipeline) == [*DEFAULT, "Follow-up"]
    assert Stage.unscoped.get(pk=data["id"]).workspace_id == tenant.workspace.pk


@pytest.mark.parametrize("position", [0, 2, 6])
def test_create_at_a_position_shifts_the_others(tenant, position):
    pipeline = pipeline_of(tenant)
    response = tenant.api.post(url(pipeline), {"name": "New", "type": "open", "position": position})
    assert response.status_code == 201 and response.json()["data"]["attributes"]["position"] == position
    expected = list(DEFAULT)
    expected.insert(position, "New")
    assert names_by_position(pipeline) == expected


@pytest.mark.parametrize("position", [-1, 7, "x", None])
def test_create_at_a_position_out_of_range_is_refused(tenant, position):
    pipeline = pipeline_of(tenant)
    response = tenant.api.post(url(pipeline), {"name": "New", "position": position})
    assert response.status_code == 400 and response.json()["error"]["details"][0]["field"] == "position"
    assert names_by_position(pipeline) == DEFAULT


def test_name_and_type_limits(tenant):
    pipeline = pipeline_of(tenant)
    assert tenant.api.post(url(pipeline), {"name": "x"}).status_code == 201
    assert tenant.api.post(url(pipeline), {"name": "y" * 100}).status_code == 201
    for body, field in (
        ({"name": "z" * 101}, "name"),
        ({"name": ""}, "name"),
        ({}, "name"),
        ({"name": "Ok", "type": "closed"}, "type"),
        ({"name": "Ok", "pipeline_id": pipeline.pk, "colour": 1}, "colour"),
    ):
        response = tenant.api.post(url(pipeline), body)
        assert response.status_code == 400, body
        assert field in {d["field"] for d in response.json()["error"]["details"]}
    assert Stage.unscoped.filter(pipeline=pipeline).count() == 8


def test_a_pipeline_holds_at_most_50_stages(tenant):
    pipeline = pipeline_of(tenant)
    for i in range(44):
        assert tenant.api.post(url(pipeline), {"name": f"S{i}"}).status_code == 201
    response = tenant.api.post(url(pipeline), {"name": "One too many"})
    assert response.status_code == 409 and error_code(response) == "CONFLICT"
    assert Stage.unscoped.filter(pipeline=pipeline).count() == 50


def test_get_and_rename(tenant):
    pipeline = pipeline_of(tenant)
    lead = stage_named(pipeline, "Lead")
    assert tenant.api.get(url(pipeline, lead.pk)).json()["data"]["attributes"]["name"] == "Lead"
    response = tenant.api.patch(url(pipeline, lead.pk), {"name": "Inbound"})
    assert response.status_code == 200 and response.json()["data"]["attributes"]["position"] == 0
    assert names_by_position(pipeline)[0] == "Inbound"


@pytest.mark.parametrize(
    ("name", "position", "expected"),
    [
        ("Lead", 3, ["Qualified", "Proposal", "Negotiation", "Lead", "Won", "Lost"]),
        ("Lost", 0, ["Lost", "Lead", "Qualified", "Proposal", "Negotiation", "Won"]),
        ("Proposal", 5, ["Lead", "Qualified", "Negotiation", "Won", "Lost", "Proposal"]),
        ("Won", 4, DEFAULT),
    ],
)
def test_moves_shift_the_stages_between(tenant, name, position, expected):
    pipeline = pipeline_of(tenant)
    response = tenant.api.patch(url(pipeline, stage_named(pipeline, name).pk), {"position": position})
    assert response.status_code == 200 and response.json()["data"]["attributes"]["position"] == position
    assert names_by_position(pipeline) == expected


def test_a_move_past_the_end_is_refused(tenant):
    pipeline = pipeline_of(tenant)
    response = tenant.api.patch(url(pipeline, stage_named(pipeline, "Lead").pk), {"position": 6, "name": "X"})
    assert response.status_code == 400 and response.json()["error"]["details"][0]["field"] == "position"
    assert names_by_position(pipeline) == DEFAULT


def test_delete_closes_the_gap(tenant):
    pipeline = pipeline_of(tenant)
    assert tenant.api.delete(url(pipeline, stage_named(pipeline, "Qualified").pk)).status_code == 204
    assert names_by_position(pipeline) == ["Lead", "Proposal", "Negotiation", "Won", "Lost"]
    assert tenant.api.delete(url(pipeline, stage_named(pipeline, "Lead").pk)).status_code == 204
    assert names_by_position(pipeline) == ["Proposal", "Negotiation", "Won", "Lost"]


def test_many_operations_keep_positions_dense(tenant):
    pipeline = pipeline_of(tenant)
    created = [tenant.api.post(url(pipeline), {"name": f"N{i}", "position": i % 4}).json()["data"] for i in range(5)]
    for i, stage in enumerate(created):
        tenant.api.patch(url(pipeline, stage["id"]), {"position": (i * 3) % 10})
    for stage in created[::2]:
        assert tenant.api.delete(url(pipeline, stage["id"])).status_code == 204
    assert len(names_by_position(pipeline)) == 8


# -- 409 rules and deals ---------------------------------------------------------------------


def test_a_stage_with_deals_cannot_be_deleted(tenant):
    pipeline = pipeline_of(tenant)
    lead = stage_named(pipeline, "Lead")
    Deal.unscoped.create(workspace=tenant.workspace, title="D", pipeline=pipeline, stage=lead)
    response = tenant.api.delete(url(pipeline, lead.pk))
    assert response.status_code == 409 and "deals" in response.json()["error"]["message"]
    assert names_by_position(pipeline) == DEFAULT


@pytest.mark.parametrize("name", ["Won", "Lost"])
def test_the_last_won_or_lost_stage_cannot_be_deleted_or_retyped(tenant, name):
    pipeline = pipeline_of(tenant)
    stage = stage_named(pipeline, name)
    response = tenant.api.delete(url(pipeline, stage.pk))
    assert response.status_code == 409 and f"last '{name.lower()}'" in response.json()["error"]["message"]
    response = tenant.api.patch(url(pipeline, stage.pk), {"type": "open", "name": "Changed"})
    assert response.status_code == 409
    stage.refresh_from_db()
    assert (stage.type, stage.name) == (name.lower(), name)


def test_a_second_won_stage_makes_the_first_removable(tenant):
    pipeline = pipeline_of(tenant)
    tenant.api.post(url(pipeline), {"name": "Won big", "type": "won"})
    won = stage_named(pipeline, "Won")
    assert tenant.api.patch(url(pipeline, won.pk), {"type": "lost"}).status_code == 200
    assert tenant.api.delete(url(pipeline, stage_named(pipeline, "Won big").pk)).status_code == 409
    assert tenant.api.delete(url(pipeline, stage_named(pipeline, "Lost").pk)).status_code == 204


def test_retyping_a_stage_closes_and_reopens_its_deals(tenant):
    pipeline = pipeline_of(tenant)
    lead = stage_named(pipeline, "Lead")
    deal = Deal.unscoped.create(workspace=tenant.workspace, title="D", pipeline=pipeline, stage=lead)
    assert tenant.api.patch(url(pipeline, lead.pk), {"type": "won"}).status_code == 200
    deal.refresh_from_db()
    closed_at = deal.closed_at
    assert closed_at is not None
    assert tenant.api.patch(url(pipeline, lead.pk), {"type": "lost"}).status_code == 200
    deal.refresh_from_db()
    assert deal.closed_at == closed_at  # still closed: won → lost keeps the time
    assert tenant.api.patch(url(pipeline, lead.pk), {"type": "open"}).status_code == 200
    deal.refresh_from_db()
    assert deal.closed_at is None


# -- include, lists ------------------------------------------------------------------------


def test_include_deal_count(tenant):
    pipeline = pipeline_of(tenant)
    lead = stage_named(pipeline, "Lead")
    Deal.unscoped.create(workspace=tenant.workspace, title="D", pipeline=pipeline, stage=lead)
    data = tenant.api.get(url(pipeline), {"include": "deal_count"}).json()["data"]
    assert [s["attributes"]["deal_count"] for s in data] == [1, 0, 0, 0, 0, 0]
    assert (
        tenant.api.get(url(pipeline, lead.pk), {"include": "deal_count"}).json()["data"]["attributes"]["deal_count"]
        == 1
    )
    api = tenant.client_with_scopes("pipelines:read")
    assert api.get(url(pipeline), {"include": "deal_count"}).status_code == 403


def test_cursor_walk_visits_every_stage_once(tenant):
    pipeline = pipeline_of(tenant)
    seen = walk(tenant.api, url(pipeline), {"limit": 4, "sort": "created_at"})
    assert sorted(seen) == sorted(Stage.unscoped.filter(pipeline=pipeline).values_list("pk", flat=True))


# -- isolation and scopes ------------------------------------------------------------------


def test_a_stage_must_belong_to_the_pipeline_in_the_path(tenant):
    default = pipeline_of(tenant)
    other = tenant.api.post("/v1/pipelines", {"name": "Other"}).json()["data"]
    other_pipeline = Pipeline.unscoped.get(pk=other["id"])
    lead = stage_named(default, "Lead")
    path = url(other_pipeline, lead.pk)
    assert tenant.api.get(path).status_code == 404
    assert tenant.api.patch(path, {"name": "Moved"}).status_code == 404
    assert tenant.api.delete(path).status_code == 404
    assert lead.pk not in ids(tenant.api.get(url(other_pipeline)))
    lead.refresh_from_db()
    assert lead.name == "Lead"


def test_another_workspaces_pipeline_and_stages_are_not_found(tenant, other_tenant):
    theirs = pipeline_of(other_tenant)
    their_stage = stage_named(theirs, "Lead")
    for path in (url(theirs), url(theirs, their_stage.pk), "/v1/pipelines/pp_bad/stages"):
        response = tenant.api.get(path)
        assert response.status_code == 404 and response.json()["error"]["message"].endswith("not found")
    assert tenant.api.post(url(theirs), {"name": "Mine"}).status_code == 404
    assert tenant.api.patch(url(theirs, their_stage.pk), {"name": "Mine"}).status_code == 404
    assert tenant.api.delete(url(theirs, their_stage.pk)).status_code == 404
    ours = pipeline_of(tenant)
    assert tenant.api.get(url(ours, their_stage.pk)).status_code == 404
    assert names_by_position(theirs) == DEFAULT


def test_stages_use_the_pipelines_scopes(tenant):
    pipeline = pipeline_of(tenant)
    reader = tenant.client_with_scopes("pipelines:read")
    assert reader.get(url(pipeline)).status_code == 200
    response = reader.post(url(pipeline), {"name": "X"})
    assert response.status_code == 403 and response.json()["error"]["required_scope"] == "pipelines:write"
    deals = tenant.client_with_scopes("deals:read", "deals:write")
    assert deals.get(url(pipeline)).status_code == 403
    writer = tenant.client_with_scopes("pipelines:write")
    assert writer.post(url(pipeline), {"name": "X"}).status_code == 201


# -- races (PostgreSQL) ------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_moves_and_inserts_keep_positions_dense(tenant):
    pipeline = pipeline_of(tenant)
    stages = list(Stage.unscoped.filter(pipeline=pipeline).order_by("position"))
    moves = [
        (lambda stage=stage, target=target: tenant.api.patch(url(pipeline, stage.pk), {"position": target}))
        for stage, target in zip(stages, [5, 0, 4, 1, 3, 2], strict=True)
    ]
    inserts = [(lambda i=i: tenant.api.post(url(pipeline), {"name": f"New{i}", "position": i % 3})) for i in range(4)]
    results = run_in_parallel(*moves, *inserts)
    assert sorted(r.status_code for r in results[: len(moves)]) == [200] * len(moves)
    assert [r.status_code for r in results[len(moves) :]] == [201] * len(inserts)
    assert len(names_by_position(pipeline)) == 10  # dense 0..9, no duplicates or gaps


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_deletes_of_the_won_stages_leave_one(tenant):
    pipeline = pipeline_of(tenant)
    tenant.api.post(url(pipeline), {"name": "Won too", "type": "won"})
    won = list(Stage.unscoped.filter(pipeline=pipeline, type="won"))
    results = run_in_parallel(*[(lambda stage=stage: tenant.api.delete(url(pipeline, stage.pk))) for stage in won])
    assert sorted(r.status_code for r in results) == [204, 409]
    assert Stage.unscoped.filter(pipeline=pipeline, type="won").count() == 1
    assert len(names_by_position(pipeline)) == 6


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_stage_delete_racing_a_deal_moving_in_ends_consistent(tenant):
    pipeline = pipeline_of(tenant)
    for round_ in range(5):
        stage = tenant.api.post(url(pipeline), {"name": f"Temp{round_}"}).json()["data"]
        deal = tenant.api.post("/v1/deals", {"title": f"D{round_}"}).json()["data"]
        moved, deleted = run_in_parallel(
            lambda deal=deal, stage=stage: tenant.api.patch(f"/v1/deals/{deal['id']}", {"stage_id": stage["id"]}),
            lambda stage=stage: tenant.api.delete(url(pipeline, stage["id"])),
        )
        assert (moved.status_code, deleted.status_code) in {(200, 409), (422, 204)}
        row = Deal.unscoped.select_related("stage").get(pk=deal["id"])
        assert row.stage.pipeline_id == pipeline.pk
        if deleted.status_code == 409:
            assert row.stage_id == stage["id"]
            row.delete()
            tenant.api.delete(url(pipeline, stage["id"]))
        assert len(names_by_position(pipeline)) == 6
