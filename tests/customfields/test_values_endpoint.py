"""`GET|PUT /v1/{contacts|companies|deals|activities}/{id}/custom-fields` and what happens to
values when their definition or record changes."""

import pytest

from customfields.models import CustomFieldValue
from tests.customfields.helpers import ENTITY_TYPES, create_ok, define, details, record_path
from tests.helpers import error_code


def values_path(entity_type: str, record_id: str) -> str:
    return f"{record_path(entity_type, record_id)}/custom-fields"


def by_slug(response) -> dict:
    assert response.status_code == 200, response.json()
    return {row["attributes"]["slug"]: row for row in response.json()["data"]}


@pytest.mark.parametrize("entity_type", ENTITY_TYPES)
def test_get_lists_the_records_values_as_resources(tenant, entity_type):
    score = define(tenant.api, "score", "number", entity_type=entity_type)
    define(tenant.api, "unset", entity_type=entity_type)
    record = create_ok(tenant.api, entity_type, custom_fields={"score": "7.5"})
    response = tenant.api.get(values_path(entity_type, record["id"]))
    rows = response.json()["data"]
    assert len(rows) == 1
    row = rows[0]
    assert row["type"] == "custom_field_value"
    assert row["id"].startswith("cfv_")
    attributes = row["attributes"]
    assert attributes["field_definition_id"] == score["id"]
    assert (attributes["slug"], attributes["name"], attributes["field_type"], attributes["value"]) == (
        "score",
        "Score",
        "number",
        7.5,
    )


@pytest.mark.parametrize("entity_type", ENTITY_TYPES)
def test_put_sets_clears_and_leaves_the_rest(tenant, entity_type):
    define(tenant.api, "a", "number", entity_type=entity_type)
    define(tenant.api, "b", "boolean", entity_type=entity_type)
    define(tenant.api, "c", "date", entity_type=entity_type)
    record = create_ok(tenant.api, entity_type, custom_fields={"a": 1, "b": True})
    path = values_path(entity_type, record["id"])
    values = by_slug(tenant.api.put(path, {"fields": {"a": None, "c": "2025-01-31"}}))
    assert {slug: row["attributes"]["value"] for slug, row in values.items()} == {"b": True, "c": "2025-01-31"}
    inline = tenant.api.get(record_path(entity_type, record["id"])).json()["data"]["attributes"]["custom_fields"]
    assert inline == {"a": None, "b": True, "c": "2025-01-31"}


def test_inline_and_endpoint_writes_agree(tenant):
    define(tenant.api, "tags_ms", "multi_select", options=["x", "y", "z"])
    define(tenant.api, "amount", "number")
    inline = create_ok(tenant.api, custom_fields={"tags_ms": ["z", "x"], "amount": "0.10"})
    other = create_ok(tenant.api)
    tenant.api.put(values_path("contact", other["id"]), {"fields": {"tags_ms": ["z", "x"], "amount": 0.1}})
    fetched = [tenant.api.get(record_path("contact", r["id"])).json()["data"] for r in (inline, other)]
    assert fetched[0]["attributes"]["custom_fields"] == fetched[1]["attributes"]["custom_fields"]
    assert fetched[0]["attributes"]["custom_fields"] == {"tags_ms": ["z", "x"], "amount": 0.1}
    stored = {
        record["id"]: sorted(
            CustomFieldValue.unscoped.filter(contact_id=record["id"]).values_list(
                "definition__slug", "value_list", "value_number"
            )
        )
        for record in (inline, other)
    }
    assert stored[inline["id"]] == stored[other["id"]]


def test_put_updates_an_existing_value_in_place(tenant):
    define(tenant.api, "score", "number")
    record = create_ok(tenant.api, custom_fields={"score": 1})
    before = CustomFieldValue.unscoped.get()
    rows = by_slug(tenant.api.put(values_path("contact", record["id"]), {"fields": {"score": 2}}))
    assert rows["score"]["id"] == before.pk
    assert rows["score"]["attributes"]["value"] == 2
    assert rows["score"]["attributes"]["updated_at"] > rows["score"]["attributes"]["created_at"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"fields": {"score": "high"}}, "fields.score"),
        ({"fields": {"nope": 1}}, "fields.nope"),
        ({"fields": {"plan": None}}, "fields.plan"),
        ({"fields": []}, "fields"),
        ({}, "fields"),
        ({"fields": {}, "extra": 1}, "extra"),
    ],
)
def test_put_rejects_bad_bodies_and_changes_nothing(tenant, body, field):
    define(tenant.api, "score", "number")
    define(tenant.api, "plan", is_required=True)
    record = create_ok(tenant.api, custom_fields={"score": 1, "plan": "basic"})
    response = tenant.api.put(values_path("contact", record["id"]), body)
    assert field in details(response)
    assert sorted(CustomFieldValue.unscoped.values_list("value_number", flat=True), key=str)[0] == 1


def test_put_bumps_the_records_updated_at(tenant):
    define(tenant.api, "score", "number")
    record = create_ok(tenant.api)
    tenant.api.put(values_path("contact", record["id"]), {"fields": {"score": 5}})
    after = tenant.api.get(record_path("contact", record["id"])).json()["data"]["attributes"]
    assert after["updated_at"] > record["attributes"]["updated_at"]


@pytest.mark.parametrize("entity_type", ENTITY_TYPES)
def test_values_endpoints_404(tenant, other_tenant, entity_type):
    define(other_tenant.api, "score", "number", entity_type=entity_type)
    foreign = create_ok(other_tenant.api, entity_type, custom_fields={"score": 1})
    record = create_ok(tenant.api, entity_type)
    prefix = record["id"].split("_")[0]
    for record_id in (foreign["id"], f"{prefix}_{'0' * 21}", "nonsense", f"zz_{record['id'].split('_')[1]}"):
        path = values_path(entity_type, record_id)
        for response in (tenant.api.get(path), tenant.api.put(path, {"fields": {"score": 2}})):
            assert response.status_code == 404
            assert error_code(response) == "NOT_FOUND"
    assert CustomFieldValue.unscoped.get().value_number == 1


def test_values_endpoints_need_custom_field_scopes(tenant):
    define(tenant.api, "score", "number")
    record = create_ok(tenant.api, custom_fields={"score": 1})
    path = values_path("contact", record["id"])
    contacts_only = tenant.client_with_scopes("contacts:read", "contacts:write")
    assert contacts_only.get(path).json()["error"]["required_scope"] == "custom_fields:read"
    assert contacts_only.put(path, {"fields": {"score": 2}}).json()["error"]["required_scope"] == "custom_fields"
    reader = tenant.client_with_scopes("custom_fields:read")
    assert reader.get(path).status_code == 200
    assert reader.put(path, {"fields": {"score": 2}}).status_code == 403
    writer = tenant.client_with_scopes("custom_fields")
    assert by_slug(writer.put(path, {"fields": {"score": 2}}))["score"]["attributes"]["value"] == 2
    assert writer.get(path).status_code == 200


def test_unknown_query_parameters_are_refused(tenant):
    record = create_ok(tenant.api)
    assert tenant.api.get(values_path("contact", record["id"]), {"limit": 5}).status_code == 400


def test_other_methods_are_not_allowed(tenant):
    record = create_ok(tenant.api)
    path = values_path("contact", record["id"])
    assert tenant.api.post(path, {"fields": {}}).status_code == 405
    assert tenant.api.delete(path).status_code == 405
    assert tenant.api.put(record_path("contact", record["id"]), {"first_name": "x"}).status_code == 405


# -- definitions and values --------------------------------------------------------------


def test_deleting_a_definition_deletes_its_values_only(tenant):
    score = define(tenant.api, "score", "number")
    define(tenant.api, "note")
    record = create_ok(tenant.api, custom_fields={"score": 1, "note": "keep"})
    assert tenant.api.delete(f"/v1/custom-fields/{score['id']}").status_code == 204
    assert list(CustomFieldValue.unscoped.values_list("definition__slug", flat=True)) == ["note"]
    fetched = tenant.api.get(record_path("contact", record["id"])).json()["data"]
    assert fetched["attributes"]["custom_fields"] == {"note": "keep"}
    assert "custom_fields.score" in details(
        tenant.api.patch(record_path("contact", record["id"]), {"custom_fields": {"score": 1}})
    )


@pytest.mark.parametrize("field_type", ["select", "multi_select"])
def test_removing_an_option_in_use_is_a_conflict(tenant, field_type):
    field = define(tenant.api, "tier", field_type, options=["gold", "silver", "bronze"])
    value = "gold" if field_type == "select" else ["silver", "gold"]
    record = create_ok(tenant.api, custom_fields={"tier": value})
    path = f"/v1/custom-fields/{field['id']}"
    response = tenant.api.patch(path, {"options": ["silver", "bronze"]})
    assert response.status_code == 409
    assert "gold" in response.json()["error"]["message"]
    # unused options can go, new ones can come
    response = tenant.api.patch(path, {"options": ["gold", "silver", "platinum"]})
    assert response.status_code == 200, response.json()
    tenant.api.patch(record_path("contact", record["id"]), {"custom_fields": {"tier": None}})
    assert tenant.api.patch(path, {"options": ["platinum"]}).status_code == 200


def test_an_option_used_in_another_workspace_does_not_block(tenant, other_tenant):
    mine = define(tenant.api, "tier", "select", options=["gold", "silver"])
    define(other_tenant.api, "tier", "select", options=["gold", "silver"])
    create_ok(other_tenant.api, custom_fields={"tier": "gold"})
    assert tenant.api.patch(f"/v1/custom-fields/{mine['id']}", {"options": ["silver"]}).status_code == 200


def test_deleting_a_record_deletes_its_values(tenant):
    define(tenant.api, "score", "number")
    define(tenant.api, "score", "number", entity_type="company")
    company = create_ok(tenant.api, "company", custom_fields={"score": 2})
    contact = create_ok(tenant.api, custom_fields={"score": 1}, company_id=company["id"])
    assert tenant.api.delete(record_path("company", company["id"])).status_code == 204
    assert list(CustomFieldValue.unscoped.values_list("contact_id", flat=True)) == [contact["id"]]
