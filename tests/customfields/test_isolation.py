"""Custom fields never cross workspaces: definitions, slugs, values, filters."""

import pytest

from customfields.models import CustomFieldValue
from tests.customfields.helpers import ENTITY_TYPES, RECORDS, create_ok, define, details, listed_ids, record_path


@pytest.mark.parametrize("entity_type", ENTITY_TYPES)
def test_a_slug_defined_only_in_another_workspace_is_unknown_here(tenant, other_tenant, entity_type):
    define(other_tenant.api, "secret", "number", entity_type=entity_type)
    path = RECORDS[entity_type][0]
    body = {**RECORDS[entity_type][1], "custom_fields": {"secret": 1}}
    assert "custom_fields.secret" in details(tenant.api.post(path, body))
    assert "cf.secret.exists" in details(tenant.api.get(path, {"cf.secret.exists": "true"}))
    record = create_ok(tenant.api, entity_type)
    response = tenant.api.put(f"{record_path(entity_type, record['id'])}/custom-fields", {"fields": {"secret": 1}})
    assert "fields.secret" in details(response)
    assert record["attributes"]["custom_fields"] == {}
    assert not CustomFieldValue.unscoped.filter(workspace=tenant.workspace).exists()


def test_required_fields_of_another_workspace_do_not_apply(tenant, other_tenant):
    define(other_tenant.api, "must", is_required=True)
    assert create_ok(tenant.api)["attributes"]["custom_fields"] == {}


def test_same_slug_in_two_workspaces_keeps_values_apart(tenant, other_tenant):
    define(tenant.api, "score", "number")
    define(other_tenant.api, "score", "number", is_required=True)
    mine = create_ok(tenant.api, custom_fields={"score": 1})
    theirs = create_ok(other_tenant.api, custom_fields={"score": 99})
    assert listed_ids(tenant.api.get("/v1/contacts", {"cf.score.gt": "0"})) == [mine["id"]]
    assert listed_ids(tenant.api.get("/v1/contacts", {"cf.score": "99"})) == []
    assert listed_ids(other_tenant.api.get("/v1/contacts", {"cf.score.exists": "true"})) == [theirs["id"]]
    listed = tenant.api.get("/v1/contacts").json()["data"]
    assert [row["attributes"]["custom_fields"] for row in listed] == [{"score": 1}]
    values = tenant.api.get(f"{record_path('contact', mine['id'])}/custom-fields").json()["data"]
    assert [row["attributes"]["value"] for row in values] == [1]
    assert {v.workspace_id for v in CustomFieldValue.unscoped.filter(contact_id=mine["id"])} == {tenant.workspace.pk}


def test_exists_false_does_not_see_other_workspaces(tenant, other_tenant):
    define(tenant.api, "score", "number")
    define(other_tenant.api, "score", "number")
    create_ok(other_tenant.api, custom_fields={"score": 1})
    mine = create_ok(tenant.api)
    assert listed_ids(tenant.api.get("/v1/contacts", {"cf.score.exists": "false"})) == [mine["id"]]


def test_deleting_a_definition_leaves_other_workspaces_values(tenant, other_tenant):
    mine = define(tenant.api, "score", "number")
    define(other_tenant.api, "score", "number")
    theirs = create_ok(other_tenant.api, custom_fields={"score": 5})
    assert tenant.api.delete(f"/v1/custom-fields/{mine['id']}").status_code == 204
    fetched = other_tenant.api.get(record_path("contact", theirs["id"])).json()["data"]
    assert fetched["attributes"]["custom_fields"] == {"score": 5}


def test_another_workspaces_definition_cannot_be_listed_filtered_or_changed(tenant, other_tenant):
    theirs = define(other_tenant.api, "score", "number", entity_type="deal")
    assert tenant.api.get("/v1/custom-fields", {"entity_type": "deal"}).json()["data"] == []
    assert tenant.api.patch(f"/v1/custom-fields/{theirs['id']}", {"name": "x"}).status_code == 404
