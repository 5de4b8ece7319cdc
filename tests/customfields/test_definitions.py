"""`/v1/custom-fields`: definitions, their rules, and isolation between workspaces."""

import pytest

from customfields.models import CustomFieldDefinition
from customfields.services import MAX_DEFINITIONS_PER_ENTITY_TYPE
from tests.helpers import error_code

URL = "/v1/custom-fields"


def define(tenant, **body):
    body = {"entity_type": "contact", "name": "Lead score", "field_type": "number", **body}
    return tenant.api.post(URL, body)


def details(response) -> dict:
    return {d["field"]: d["message"] for d in response.json()["error"]["details"]}


def test_create_returns_the_resource_with_a_generated_slug(tenant):
    response = define(tenant, name="Lead score (0-100)")
    assert response.status_code == 201, response.json()
    data = response.json()["data"]
    assert data["type"] == "custom_field_definition"
    assert data["id"].startswith("cf_")
    assert response["Location"] == f"{URL}/{data['id']}"
    attributes = data["attributes"]
    assert attributes["slug"] == "lead_score_0_100"
    assert attributes["options"] is None
    assert attributes["is_required"] is False
    assert attributes["display_order"] == 0
    assert CustomFieldDefinition.unscoped.get(pk=data["id"]).workspace_id == tenant.workspace.pk


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Lead Score", "lead_score"),
        ("  2nd  phone!! ", "f_2nd_phone"),
        ("Café owner", "cafe_owner"),
        ("a_-_b", "a_b"),
        ("a" * 150, "a" * 100),
    ],
)
def test_slug_generation(tenant, name, slug):
    response = define(tenant, name=name)
    assert response.status_code == 201, response.json()
    assert response.json()["data"]["attributes"]["slug"] == slug


def test_name_without_letters_needs_an_explicit_slug(tenant):
    response = define(tenant, name="!!! ???")
    assert response.status_code == 400
    assert "slug" in details(response)
    assert define(tenant, name="!!! ???", slug="code").status_code == 201


@pytest.mark.parametrize("slug", ["Lead", "1abc", "_abc", "lead-score", "lead score", "a" * 101, "", "é"])
def test_invalid_slugs_are_rejected(tenant, slug):
    response = define(tenant, slug=slug)
    assert response.status_code == 400
    assert "slug" in details(response)
    assert not CustomFieldDefinition.unscoped.filter(workspace=tenant.workspace).exists()


def test_slug_of_100_characters_is_accepted(tenant):
    assert define(tenant, slug="a" * 100).status_code == 201


def test_duplicate_slug_per_entity_type_is_a_conflict(tenant, other_tenant):
    assert define(tenant, slug="score").status_code == 201
    response = define(tenant, slug="score", name="Other")
    assert response.status_code == 409
    assert "score" in response.json()["error"]["message"]
    # a generated slug that collides is a conflict too (never silently renamed)
    assert define(tenant, name="Score").status_code == 409
    assert define(tenant, slug="score", entity_type="company").status_code == 201
    assert define(other_tenant, slug="score").status_code == 201


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"entity_type": "lead"}, "entity_type"),
        ({"field_type": "money"}, "field_type"),
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"description": "x" * 1001}, "description"),
        ({"is_required": "yes"}, "is_required"),
        ({"display_order": -1}, "display_order"),
        ({"options": ["a"]}, "options"),
        ({"field_type": "select"}, "options"),
        ({"field_type": "select", "options": []}, "options"),
        ({"field_type": "select", "options": None}, "options"),
        ({"field_type": "select", "options": "a,b"}, "options"),
        ({"field_type": "select", "options": ["a", "a"]}, "options"),
        ({"field_type": "select", "options": ["a", "A"]}, "options"),
        ({"field_type": "select", "options": ["a", ""]}, "options"),
        ({"field_type": "select", "options": ["a", 1]}, "options"),
        ({"field_type": "select", "options": ["x" * 101]}, "options"),
        ({"field_type": "select", "options": ["a\tb"]}, "options"),
        ({"field_type": "multi_select", "options": [str(i) for i in range(101)]}, "options"),
        ({"color": "red"}, "color"),
    ],
)
def test_invalid_definitions_are_rejected(tenant, body, field):
    response = define(tenant, **body)
    assert response.status_code == 400, response.json()
    assert error_code(response) == "VALIDATION_ERROR"
    assert field in details(response)
    assert not CustomFieldDefinition.unscoped.filter(workspace=tenant.workspace).exists()


def test_option_boundaries(tenant):
    options = [f"option {i}" for i in range(100)]
    response = define(tenant, slug="many", field_type="multi_select", options=options)
    assert response.status_code == 201
    assert response.json()["data"]["attributes"]["options"] == options
    assert define(tenant, slug="long", field_type="select", options=["x" * 100]).status_code == 201


def test_display_order_defaults_to_next(tenant):
    assert define(tenant, slug="a").json()["data"]["attributes"]["display_order"] == 0
    assert define(tenant, slug="b", display_order=7).json()["data"]["attributes"]["display_order"] == 7
    assert define(tenant, slug="c").json()["data"]["attributes"]["display_order"] == 8
    assert define(tenant, slug="d", entity_type="deal").json()["data"]["attributes"]["display_order"] == 0


def test_patch_changes_mutable_attributes(tenant):
    cf_id = define(tenant, field_type="select", options=["hot", "cold"]).json()["data"]["id"]
    body = {"name": "Temperature", "description": "How warm", "is_required": True, "options": ["hot", "cold", "warm"]}
    response = tenant.api.patch(f"{URL}/{cf_id}", body)
    assert response.status_code == 200, response.json()
    attributes = response.json()["data"]["attributes"]
    assert attributes["name"] == "Temperature"
    assert attributes["slug"] == "lead_score"
    assert attributes["options"] == ["hot", "cold", "warm"]
    assert attributes["is_required"] is True
    assert tenant.api.patch(f"{URL}/{cf_id}", {"description": None}).json()["data"]["attributes"]["description"] is None
    assert tenant.api.patch(f"{URL}/{cf_id}", {"description": "  "}).json()["data"]["attributes"]["description"] is None


@pytest.mark.parametrize(
    "change", [{"slug": "other"}, {"entity_type": "company"}, {"field_type": "text"}, {"options": None}]
)
def test_immutable_attributes_cannot_change(tenant, change):
    cf_id = define(tenant, field_type="select", options=["a"]).json()["data"]["id"]
    response = tenant.api.patch(f"{URL}/{cf_id}", change)
    assert response.status_code == 400
    stored = CustomFieldDefinition.unscoped.get(pk=cf_id)
    assert (stored.slug, stored.entity_type, stored.field_type, stored.options) == (
        "lead_score",
        "contact",
        "select",
        ["a"],
    )


def test_sending_an_immutable_attribute_unchanged_is_fine(tenant):
    cf_id = define(tenant).json()["data"]["id"]
    response = tenant.api.patch(f"{URL}/{cf_id}", {"slug": "lead_score", "field_type": "number", "name": "Score"})
    assert response.status_code == 200


def test_options_on_a_non_select_field_cannot_be_added(tenant):
    cf_id = define(tenant).json()["data"]["id"]
    assert tenant.api.patch(f"{URL}/{cf_id}", {"options": ["a"]}).status_code == 400


def test_cap_per_entity_type(tenant):
    CustomFieldDefinition.unscoped.bulk_create(
        CustomFieldDefinition(
            workspace=tenant.workspace, entity_type="contact", name=f"f{i}", slug=f"f{i}", field_type="text"
        )
        for i in range(MAX_DEFINITIONS_PER_ENTITY_TYPE)
    )
    response = define(tenant, slug="one_more")
    assert response.status_code == 409
    assert "200" in response.json()["error"]["message"]
    assert define(tenant, slug="one_more", entity_type="company").status_code == 201


def test_list_filter_and_sort(tenant):
    define(tenant, slug="b", name="Beta")
    define(tenant, slug="a", name="Alpha", entity_type="company")
    define(tenant, slug="c", name="Gamma")
    names = [r["attributes"]["name"] for r in tenant.api.get(URL, {"sort": "name"}).json()["data"]]
    assert names == ["Alpha", "Beta", "Gamma"]
    contact_only = tenant.api.get(URL, {"entity_type": "contact", "sort": "-display_order"}).json()["data"]
    assert [r["attributes"]["slug"] for r in contact_only] == ["c", "b"]
    assert tenant.api.get(URL, {"entity_type": "lead"}).status_code == 400
    assert tenant.api.get(URL, {"sort": "slug"}).status_code == 400
    assert tenant.api.get(URL, {"slug": "a"}).status_code == 400


def test_retrieve_and_delete(tenant):
    cf_id = define(tenant).json()["data"]["id"]
    assert tenant.api.get(f"{URL}/{cf_id}").json()["data"]["attributes"]["slug"] == "lead_score"
    assert tenant.api.delete(f"{URL}/{cf_id}").status_code == 204
    assert tenant.api.get(f"{URL}/{cf_id}").status_code == 404
    assert tenant.api.get(f"{URL}/ct_{cf_id[3:]}").status_code == 404


def test_other_workspaces_definitions_are_invisible(tenant, other_tenant):
    theirs = define(other_tenant).json()["data"]["id"]
    assert tenant.api.get(URL).json()["data"] == []
    assert tenant.api.get(f"{URL}/{theirs}").status_code == 404
    assert tenant.api.patch(f"{URL}/{theirs}", {"name": "x"}).status_code == 404
    assert tenant.api.delete(f"{URL}/{theirs}").status_code == 404
    assert CustomFieldDefinition.unscoped.get(pk=theirs).name == "Lead score"


def test_scopes(tenant):
    cf_id = define(tenant).json()["data"]["id"]
    reader = tenant.client_with_scopes("custom_fields:read")
    assert reader.get(URL).status_code == 200
    assert reader.get(f"{URL}/{cf_id}").status_code == 200
    for response in (
        reader.post(URL, {"entity_type": "contact", "name": "x", "field_type": "text"}),
        reader.patch(f"{URL}/{cf_id}", {"name": "x"}),
        reader.delete(f"{URL}/{cf_id}"),
    ):
        assert response.status_code == 403
        assert response.json()["error"]["required_scope"] == "custom_fields"
    writer = tenant.client_with_scopes("custom_fields")
    assert writer.get(URL).status_code == 200
    assert writer.patch(f"{URL}/{cf_id}", {"name": "x"}).status_code == 200
    contacts_only = tenant.client_with_scopes("contacts:read", "contacts:write")
    assert contacts_only.get(URL).status_code == 403
    assert contacts_only.get(URL).json()["error"]["required_scope"] == "custom_fields:read"
