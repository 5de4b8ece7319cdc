"""Deals over HTTP: CRUD, value/currency rules, the pipeline/stage defaults and rules,
closed_at following the stage type, filters, sorts, cursors, includes with their scopes,
isolation and query budgets (contract §5, §8)."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.dateparse import parse_datetime

from crm.models import Activity, Company, Contact, Deal, Pipeline, Stage
from tests.crm.helpers import expected_order, ids, walk
from tests.helpers import error_code

URL = "/v1/deals"


def create(api, **body):
    response = api.post(URL, {"title": "Big deal", **body})
    assert response.status_code == 201, response.content
    return response.json()["data"]


def default_pipeline(tenant) -> Pipeline:
    return Pipeline.unscoped.get(workspace=tenant.workspace, is_default=True)


def stage(pipeline, name) -> Stage:
    return Stage.unscoped.get(pipeline=pipeline, name=name)


def second_pipeline(tenant, stages=None) -> Pipeline:
    body = {"name": "Partners"}
    if stages is not None:
        body["stages"] = stages
    response = tenant.api.post("/v1/pipelines", body)
    assert response.status_code == 201, response.content
    return Pipeline.unscoped.get(pk=response.json()["data"]["id"])


# -- create, read, update, delete ---------------------------------------------------------


def test_create_with_defaults(tenant):
    response = tenant.api.post(URL, {"title": "  Big deal "})
    assert response.status_code == 201
    data = response.json()["data"]
    assert data["type"] == "deal" and data["id"].startswith("dl_")
    assert response["Location"] == f"/v1/deals/{data['id']}"
    pipeline = default_pipeline(tenant)
    assert {name: value for name, value in data["attributes"].items() if name != "custom_fields"} == {
        "id": data["id"],
        "title": "Big deal",
        "value": None,
        "currency": "EUR",
        "pipeline_id": pipeline.pk,
        "stage_id": stage(pipeline, "Lead").pk,
        "contact_id": None,
        "company_id": None,
        "owner_id": None,
        "expected_close_date": None,
        "closed_at": None,
        "tags": [],
        "created_at": data["attributes"]["created_at"],
        "updated_at": data["attributes"]["updated_at"],
    }
    assert data["attributes"]["created_at"].endswith("Z")


def test_create_with_every_field(tenant):
    contact = Contact.unscoped.create(workspace=tenant.workspace, email="jane@acme.com")
    company = Company.unscoped.create(workspace=tenant.workspace, name="Acme")
    pipeline = default_pipeline(tenant)
    body = {
        "title": "Big deal",
        "value": 50000,
        "currency": "usd",
        "pipeline_id": pipeline.pk,
        "stage_id": stage(pipeline, "Proposal").pk,
        "contact_id": contact.pk,
        "company_id": company.pk,
        "owner_id": "user-42",
        "expected_close_date": "2026-03-31",
        "tags": ["Enterprise", "enterprise", " Q1 "],
    }
    attributes = create(tenant.api, **body)["attributes"]
    assert attributes["value"] == "50000.00" and attributes["currency"] == "USD"
    assert attributes["stage_id"] == stage(pipeline, "Proposal").pk
    assert (attributes["contact_id"], attributes["company_id"]) == (contact.pk, company.pk)
    assert attributes["owner_id"] == "user-42" and attributes["expected_close_date"] == "2026-03-31"
    assert attributes["tags"] == ["enterprise", "q1"]
    deal = Deal.unscoped.get(pk=attributes["id"])
    assert deal.value == Decimal("50000.00") and deal.workspace_id == tenant.workspace.pk


def test_get_patch_delete(tenant):
    deal = create(tenant.api, value="10.5", tags=["a"])
    path = f"{URL}/{deal['id']}"
    assert tenant.api.get(path).json()["data"] == deal
    response = tenant.api.patch(path, {"title": "Renamed", "value": None, "tags": ["b"]})
    assert response.status_code == 200
    attributes = response.json()["data"]["attributes"]
    assert (attributes["title"], attributes["value"], attributes["tags"]) == ("Renamed", None, ["b"])
    assert attributes["currency"] == "EUR"  # a PATCH does not reset defaults
    assert tenant.api.delete(path).status_code == 204
    assert tenant.api.get(path).status_code == 404
    assert not Deal.unscoped.filter(pk=deal["id"]).exists()


def test_deleting_a_deal_unlinks_its_activities(tenant):
    deal = create(tenant.api)
    activity = Activity.unscoped.create(workspace=tenant.workspace, type="note", deal_id=deal["id"])
    before = activity.updated_at
    assert tenant.api.delete(f"{URL}/{deal['id']}").status_code == 204
    activity.refresh_from_db()
    assert activity.deal_id is None and activity.updated_at > before  # `updated_after` syncs see it


def test_deleting_a_contact_or_company_unlinks_the_deal(tenant):
    contact = Contact.unscoped.create(workspace=tenant.workspace, email="jane@acme.com")
    company = Company.unscoped.create(workspace=tenant.workspace, name="Acme")
    deal = create(tenant.api, contact_id=contact.pk, company_id=company.pk)
    assert tenant.api.delete(f"/v1/contacts/{contact.pk}").status_code == 204
    assert tenant.api.delete(f"/v1/companies/{company.pk}").status_code == 204
    attributes = tenant.api.get(f"{URL}/{deal['id']}").json()["data"]["attributes"]
    assert attributes["contact_id"] is None and attributes["company_id"] is None


# -- validation limits ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "stored"),
    [
        (0, "0.00"),
        ("0", "0.00"),
        ("-0", "0.00"),
        (0.01, "0.01"),
        ("1234567890123.45", "1234567890123.45"),
        (9999999999999, "9999999999999.00"),
        (" 12.5 ", "12.50"),
    ],
)
def test_value_accepted(tenant, value, stored):
    assert create(tenant.api, value=value)["attributes"]["value"] == stored


@pytest.mark.parametrize(
    "value", [-0.01, "-1", "0.001", 1.005, "12345678901234.5", 10**13, "abc", "", "NaN", "Infinity", True, [], {}]
)
def test_value_refused(tenant, value):
    response = tenant.api.post(URL, {"title": "T", "value": value})
    assert response.status_code == 400, value
    assert response.json()["error"]["details"][0]["field"] == "value"
    assert not Deal.unscoped.exists()


@pytest.mark.parametrize(
    ("field", "ok", "too_long"),
    [("title", "t" * 300, "t" * 301), ("owner_id", "o" * 100, "o" * 101)],
)
def test_text_limits(tenant, field, ok, too_long):
    assert create(tenant.api, **{field: ok})["attributes"][field] == ok
    response = tenant.api.post(URL, {"title": "T", field: too_long})
    assert response.status_code == 400 and response.json()["error"]["details"][0]["field"] == field


@pytest.mark.parametrize("body", [{}, {"title": ""}, {"title": "   "}, {"title": None}])
def test_title_is_required(tenant, body):
    response = tenant.api.post(URL, body)
    assert response.status_code == 400 and response.json()["error"]["details"][0]["field"] == "title"


@pytest.mark.parametrize("currency", ["EU", "EURO", "E1R", "€UR", "", None, 978])
def test_currency_must_be_three_letters(tenant, currency):
    response = tenant.api.post(URL, {"title": "T", "currency": currency})
    assert response.status_code == 400 and response.json()["error"]["details"][0]["field"] == "currency"


def test_dates_and_read_only_closed_at(tenant):
    response = tenant.api.post(URL, {"title": "T", "expected_close_date": "2026-02-30"})
    assert response.status_code == 400
    assert response.json()["error"]["details"][0]["field"] == "expected_close_date"
    deal = create(tenant.api, closed_at="2020-01-01T00:00:00Z")
    assert deal["attributes"]["closed_at"] is None


def test_tags_limits(tenant):
    assert len(create(tenant.api, tags=[f"t{i}" for i in range(20)])["attributes"]["tags"]) == 20
    assert tenant.api.post(URL, {"title": "T", "tags": [f"t{i}" for i in range(21)]}).status_code == 400
    assert tenant.api.post(URL, {"title": "T", "tags": ["x" * 51]}).status_code == 400


def test_unknown_fields_are_refused(tenant):
    response = tenant.api.post(URL, {"title": "T", "status": "won"})
    assert response.status_code == 400 and response.json()["error"]["details"][0]["field"] == "status"


# -- pipeline and stage rules ------------------------------------------------------------------


def test_stage_defaults_to_the_given_pipelines_first_open_stage(tenant):
    pipeline = second_pipeline(
        tenant, [{"name": "Lost", "type": "lost"}, {"name": "Talk", "type": "open"}, {"name": "Won", "type": "won"}]
    )
    attributes = create(tenant.api, pipeline_id=pipeline.pk)["attributes"]
    assert (attributes["pipeline_id"], attributes["stage_id"]) == (pipeline.pk, stage(pipeline, "Talk").pk)


def test_a_pipeline_without_open_stages_needs_a_stage(tenant):
    pipeline = second_pipeline(tenant, [{"name": "Won", "type": "won"}, {"name": "Lost", "type": "lost"}])
    response = tenant.api.post(URL, {"title": "T", "pipeline_id": pipeline.pk})
    assert response.status_code == 400 and response.json()["error"]["details"][0]["field"] == "stage_id"
    assert create(tenant.api, pipeline_id=pipeline.pk, stage_id=stage(pipeline, "Won").pk)


def test_stage_must_belong_to_the_pipeline(tenant):
    other = second_pipeline(tenant)
    foreign_stage = stage(other, "Lead")
    response = tenant.api.post(URL, {"title": "T", "stage_id": foreign_stage.pk})  # default pipeline
    assert response.status_code == 400 and response.json()["error"]["details"][0]["field"] == "stage_id"
    deal = create(tenant.api)
    response = tenant.api.patch(f"{URL}/{deal['id']}", {"stage_id": foreign_stage.pk})
    assert response.status_code == 400
    response = tenant.api.patch(
        f"{URL}/{deal['id']}", {"pipeline_id": other.pk, "stage_id": stage(default_pipeline(tenant), "Won").pk}
    )
    assert response.status_code == 400
    assert Deal.unscoped.get(pk=deal["id"]).pipeline_id == default_pipeline(tenant).pk


def test_changing_pipeline_without_stage_moves_to_its_first_open_stage(tenant):
    other = second_pipeline(tenant)
    deal = create(tenant.api, stage_id=stage(default_pipeline(tenant), "Proposal").pk)
    response = tenant.api.patch(f"{URL}/{deal['id']}", {"pipeline_id": other.pk})
    assert response.status_code == 200
    attributes = response.json()["data"]["attributes"]
    assert (attributes["pipeline_id"], attributes["stage_id"]) == (other.pk, stage(other, "Lead").pk)
    response = tenant.api.patch(f"{URL}/{deal['id']}", {"pipeline_id": other.pk, "title": "Same pipeline"})
    assert response.json()["data"]["attributes"]["stage_id"] == stage(other, "Lead").pk
    moved = tenant.api.patch(f"{URL}/{deal['id']}", {"stage_id": stage(other, "Proposal").pk})
    assert moved.json()["data"]["attributes"]["stage_id"] == stage(other, "Proposal").pk
    same = tenant.api.patch(f"{URL}/{deal['id']}", {"pipeline_id": other.pk})
    assert same.json()["data"]["attributes"]["stage_id"] == stage(other, "Proposal").pk  # stays put


@pytest.mark.parametrize("field", ["pipeline_id", "stage_id"])
def test_pipeline_and_stage_cannot_be_cleared(tenant, field):
    deal = create(tenant.api)
    response = tenant.api.patch(f"{URL}/{deal['id']}", {field: None})
    assert response.status_code == 400 and response.json()["error"]["details"][0]["field"] == field


def test_closed_at_follows_the_stage_type(tenant):
    pipeline = default_pipeline(tenant)
    won = create(tenant.api, stage_id=stage(pipeline, "Won").pk)
    assert won["attributes"]["closed_at"] is not None  # on create too
    deal = create(tenant.api)
    path = f"{URL}/{deal['id']}"
    assert deal["attributes"]["closed_at"] is None
    closed = tenant.api.patch(path, {"stage_id": stage(pipeline, "Won").pk}).json()["data"]["attributes"]
    assert closed["closed_at"] is not None
    renamed = tenant.api.patch(path, {"title": "Still won"}).json()["data"]["attributes"]
    assert renamed["closed_at"] == closed["closed_at"]
    lost = tenant.api.patch(path, {"stage_id": stage(pipeline, "Lost").pk}).json()["data"]["attributes"]
    assert lost["closed_at"] is not None
    assert parse_datetime(lost["closed_at"]) >= parse_datetime(closed["closed_at"])  # entering lost: a new time
    reopened = tenant.api.patch(path, {"stage_id": stage(pipeline, "Lead").pk}).json()["data"]["attributes"]
    assert reopened["closed_at"] is None


# -- references: isolation in bodies ---------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "make"),
    [
        ("contact_id", lambda ws: Contact.unscoped.create(workspace=ws, email="x@y.com").pk),
        ("company_id", lambda ws: Company.unscoped.create(workspace=ws, name="Other").pk),
        ("pipeline_id", lambda ws: Pipeline.unscoped.get(workspace=ws, is_default=True).pk),
        ("stage_id", lambda ws: Stage.unscoped.filter(workspace=ws).first().pk),
    ],
)
def test_foreign_references_are_unprocessable(tenant, other_tenant, field, make):
    foreign = make(other_tenant.workspace)
    response = tenant.api.post(URL, {"title": "T", field: foreign})
    assert response.status_code == 422 and error_code(response) == "UNPROCESSABLE_ENTITY"
    deal = create(tenant.api)
    assert tenant.api.patch(f"{URL}/{deal['id']}", {field: foreign}).status_code == 422
    prefix = foreign.split("_")[0]
    assert tenant.api.post(URL, {"title": "T", field: f"{prefix}_{'0' * 21}"}).status_code == 422
    malformed = tenant.api.post(URL, {"title": "T", field: "nope"})
    assert malformed.status_code == 400 and malformed.json()["error"]["details"][0]["field"] == field
    assert Deal.unscoped.filter(workspace=tenant.workspace).count() == 1


def test_another_workspaces_deal_is_not_found(tenant, other_tenant):
    theirs = create(other_tenant.api, title="Secret")
    path = f"{URL}/{theirs['id']}"
    assert tenant.api.get(path).status_code == 404
    assert tenant.api.patch(path, {"title": "Mine"}).status_code == 404
    assert tenant.api.delete(path).status_code == 404
    assert Deal.unscoped.get(pk=theirs["id"]).title == "Secret"
    assert ids(tenant.api.get(URL)) == []


# -- filters ---------------------------------------------------------------------------------


@pytest.fixture
def spread(tenant):
    """Deals across two pipelines, stages, contacts, companies, values and tags."""
    pipeline = default_pipeline(tenant)
    other = second_pipeline(tenant)
    contact = Contact.unscoped.create(workspace=tenant.workspace, email="jane@acme.com")
    company = Company.unscoped.create(workspace=tenant.workspace, name="Acme")
    made = {
        "lead": create(tenant.api, value=100, tags=["a", "b"], contact_id=contact.pk),
        "won": create(tenant.api, value="2500.50", stage_id=stage(pipeline, "Won").pk, tags=["a"]),
        "lost": create(tenant.api, value=0, stage_id=stage(pipeline, "Lost").pk, company_id=company.pk),
        "other": create(tenant.api, pipeline_id=other.pk, tags=["b"]),
    }
    return {
        "ids": {name: deal["id"] for name, deal in made.items()},
        "pipeline": pipeline,
        "other": other,
        "contact": contact,
        "company": company,
    }


def listed(tenant, **params):
    return set(ids(tenant.api.get(URL, params)))


def test_filters(tenant, spread):
    d = spread["ids"]
    assert listed(tenant, pipeline_id=spread["pipeline"].pk) == {d["lead"], d["won"], d["lost"]}
    assert listed(tenant, pipeline_id=spread["other"].pk) == {d["other"]}
    assert listed(tenant, stage_id=stage(spread["pipeline"], "Won").pk) == {d["won"]}
    assert listed(tenant, contact_id=spread["contact"].pk) == {d["lead"]}
    assert listed(tenant, company_id=spread["company"].pk) == {d["lost"]}
    assert listed(tenant, status="open") == {d["lead"], d["other"]}
    assert listed(tenant, status="won") == {d["won"]}
    assert listed(tenant, status="lost") == {d["lost"]}
    assert listed(tenant, min_value="100") == {d["lead"], d["won"]}
    assert listed(tenant, min_value="100.01") == {d["won"]}
    assert listed(tenant, max_value="100") == {d["lead"], d["lost"]}
    assert listed(tenant, max_value="0") == {d["lost"]}
    assert listed(tenant, min_value="0", max_value="2500.50") == {d["lead"], d["won"], d["lost"]}
    assert listed(tenant, max_value="1e20") == {d["lead"], d["won"], d["lost"]}  # null values never match
    assert listed(tenant, tags="a") == {d["lead"], d["won"]}
    assert listed(tenant, tags="A, b") == {d["lead"]}
    assert listed(tenant, status="won", tags="a") == {d["won"]}


@pytest.mark.parametrize(
    ("param", "value"),
    [
        ("status", "closed"),
        ("min_value", "abc"),
        ("max_value", "NaN"),
        ("pipeline_id", "ps_0"),
        ("stage_id", "pp_000000000000000000000"),
        ("contact_id", "nope"),
        ("company_id", "ct_000000000000000000000"),
        ("value", "1"),
        ("created_after", "yesterday"),
    ],
)
def test_bad_filter_values_are_refused(tenant, param, value):
    response = tenant.api.get(URL, {param: value})
    assert response.status_code == 400 and response.json()["error"]["details"][0]["field"] == param


def test_foreign_ids_as_filters_match_nothing(tenant, other_tenant, spread):
    their_pipeline = default_pipeline(other_tenant)
    create(other_tenant.api)
    assert listed(tenant, pipeline_id=their_pipeline.pk) == set()
    assert listed(tenant, stage_id=stage(their_pipeline, "Lead").pk) == set()
    their_contact = Contact.unscoped.create(workspace=other_tenant.workspace, email="x@y.com")
    create(other_tenant.api, contact_id=their_contact.pk)
    assert listed(tenant, contact_id=their_contact.pk) == set()


# -- sorts and cursors ------------------------------------------------------------------------


def rows(tenant):
    return [
        {"id": d["id"], **d["attributes"]}
        for d in tenant.api.get(URL, {"limit": 100, "sort": "created_at"}).json()["data"]
    ]


@pytest.mark.parametrize("field", ["value", "expected_close_date"])
@pytest.mark.parametrize("descending", [False, True])
def test_sorts_put_nulls_last_and_break_ties_by_id(tenant, field, descending):
    values = {
        "value": [None, "5", "5", "1", None, "10"],
        "expected_close_date": [None, "2026-05-01", "2026-05-01", "2026-01-01", None, "2027-01-01"],
    }
    for value in values[field]:
        create(tenant.api, **({field: value} if value is not None else {}))
    everything = rows(tenant)
    for row in everything:
        row[field] = Decimal(row[field]) if field == "value" and row[field] is not None else row[field]
    expected = expected_order(everything, field, descending)
    sort = f"-{field}" if descending else field
    assert ids(tenant.api.get(URL, {"sort": sort, "limit": 100})) == expected
    assert walk(tenant.api, URL, {"sort": sort, "limit": 2}) == expected


def test_default_sort_is_newest_first(tenant):
    made = [create(tenant.api, title=f"D{i}")["id"] for i in range(3)]
    assert ids(tenant.api.get(URL)) == made[::-1]
    assert tenant.api.get(URL, {"sort": "title"}).status_code == 400


def test_cursor_walk_visits_every_deal_once_under_inserts(tenant):
    for i in range(7):
        create(tenant.api, value=i % 3)
    before = set(Deal.unscoped.values_list("pk", flat=True))
    added = []
    seen = walk(
        tenant.api,
        URL,
        {"limit": 3, "sort": "-value"},
        between_pages=lambda page: added.append(create(tenant.api, value=1)["id"]),
    )
    assert len(seen) == len(set(seen)) and before <= set(seen)
    before = set(Deal.unscoped.values_list("pk", flat=True))
    newest_first = walk(
        tenant.api, URL, {"limit": 3}, between_pages=lambda page: added.append(create(tenant.api)["id"])
    )
    assert len(newest_first) == len(before) and set(newest_first) == before  # newer rows sort before the cursor


def test_a_cursor_from_another_workspace_or_sort_is_refused(tenant, other_tenant):
    for _ in range(3):
        create(tenant.api)
        create(other_tenant.api)
    cursor = tenant.api.get(URL, {"limit": 1}).json()["meta"]["pagination"]["next_cursor"]
    assert other_tenant.api.get(URL, {"limit": 1, "cursor": cursor}).status_code == 400
    assert tenant.api.get(URL, {"limit": 1, "cursor": cursor, "sort": "value"}).status_code == 400


# -- includes --------------------------------------------------------------------------------


def test_includes_embed_full_resources(tenant):
    contact = Contact.unscoped.create(workspace=tenant.workspace, email="jane@acme.com")
    company = Company.unscoped.create(workspace=tenant.workspace, name="Acme")
    deal = create(tenant.api, contact_id=contact.pk, company_id=company.pk)
    bare = create(tenant.api)
    params = {"include": "contact,company,pipeline,stage"}
    attributes = tenant.api.get(f"{URL}/{deal['id']}", params).json()["data"]["attributes"]
    assert attributes["contact"]["type"] == "contact" and attributes["contact"]["id"] == contact.pk
    assert attributes["contact"]["attributes"]["email"] == "jane@acme.com"
    assert "company" not in attributes["contact"]["attributes"]  # no nested includes
    assert attributes["company"] == tenant.api.get(f"/v1/companies/{company.pk}").json()["data"]
    assert attributes["pipeline"]["type"] == "pipeline" and len(attributes["pipeline"]["attributes"]["stages"]) == 6
    assert attributes["stage"]["type"] == "pipeline_stage" and attributes["stage"]["attributes"]["name"] == "Lead"
    listed_bare = next(d for d in tenant.api.get(URL, params).json()["data"] if d["id"] == bare["id"])
    assert listed_bare["attributes"]["contact"] is None and listed_bare["attributes"]["company"] is None
    plain = tenant.api.get(f"{URL}/{deal['id']}").json()["data"]["attributes"]
    assert not {"contact", "company", "pipeline", "stage"} & set(plain)


@pytest.mark.parametrize(
    ("include", "scope"),
    [
        ("contact", "contacts:read"),
        ("company", "companies:read"),
        ("pipeline", "pipelines:read"),
        ("stage", "pipelines:read"),
    ],
)
def test_each_include_needs_its_read_scope(tenant, include, scope):
    deal = create(tenant.api)
    reader = tenant.client_with_scopes("deals:read")
    for path in (URL, f"{URL}/{deal['id']}"):
        response = reader.get(path, {"include": include})
        assert response.status_code == 403 and response.json()["error"]["required_scope"] == scope
    assert tenant.client_with_scopes("deals:read", scope).get(URL, {"include": include}).status_code == 200


def test_unknown_include_is_refused(tenant):
    response = tenant.api.get(URL, {"include": "activities"})
    assert response.status_code == 400 and response.json()["error"]["details"][0]["field"] == "include"


@pytest.mark.parametrize(
    ("method", "scopes", "status"),
    [
        ("get", ("deals:read",), 200),
        ("get", ("deals:write",), 403),
        ("post", ("deals:read",), 403),
        ("post", ("deals:write",), 201),
        ("post", ("pipelines:write", "contacts:write"), 403),
    ],
)
def test_scopes(tenant, method, scopes, status):
    api = tenant.client_with_scopes(*scopes)
    response = api.get(URL) if method == "get" else api.post(URL, {"title": "T"})
    assert response.status_code == status


# -- query budget ----------------------------------------------------------------------------


def test_a_page_with_every_include_costs_the_same_for_1_and_100_deals(tenant):
    pipeline = default_pipeline(tenant)
    other = second_pipeline(tenant)
    for i in range(100):
        contact = Contact.unscoped.create(workspace=tenant.workspace, email=f"c{i}@acme.com", tags=["x"])
        company = Company.unscoped.create(workspace=tenant.workspace, name=f"Co{i}")
        target = pipeline if i % 2 else other
        Deal.unscoped.create(
            workspace=tenant.workspace,
            title=f"D{i}",
            pipeline=target,
            stage=Stage.unscoped.filter(pipeline=target).first(),
            contact=contact,
            company=company,
        )
    params = {"include": "contact,company,pipeline,stage"}

    def queries(limit):
        with CaptureQueriesContext(connection) as captured:
            response = tenant.api.get(URL, {**params, "limit": limit})
        assert response.status_code == 200 and len(response.json()["data"]) == limit
        assert all(d["attributes"]["pipeline"]["attributes"]["stages"] for d in response.json()["data"])
        return len(captured)

    assert queries(1) == queries(100)


def test_includes_never_show_another_workspaces_records(tenant, other_tenant):
    """Only a bug could link across workspaces; if one did, the include shows nothing."""
    their_contact = Contact.unscoped.create(workspace=other_tenant.workspace, email="secret@globex.com")
    their_company = Company.unscoped.create(workspace=other_tenant.workspace, name="Globex")
    deal = create(tenant.api)
    Deal.unscoped.filter(pk=deal["id"]).update(contact=their_contact, company=their_company)
    for response in (
        tenant.api.get(f"{URL}/{deal['id']}", {"include": "contact,company"}),
        tenant.api.get(URL, {"include": "contact,company"}),
    ):
        assert "secret@globex.com" not in response.content.decode() and "Globex" not in response.content.decode()
