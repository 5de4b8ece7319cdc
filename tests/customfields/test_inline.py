"""Inline `custom_fields` on contacts, companies, deals and activities (contract §8)."""

import pytest

from customfields.models import CustomFieldValue
from tests.customfields.helpers import ENTITY_TYPES, create, create_ok, define, details, record_path

SELECT_OPTIONS = ["hot", "warm", "cold"]

# field type, a valid value, how it reads back
VALID = [
    ("text", "  VIP customer  ", "VIP customer"),
    ("text", "x" * 10_000, "x" * 10_000),
    ("number", 42, 42),
    ("number", "-17.25", -17.25),
    ("number", 0.1, 0.1),
    ("number", 999_999_999_999_999, 999_999_999_999_999),
    ("number", "123456789.123456", 123456789.123456),
    ("boolean", False, False),
    ("date", "2024-02-29", "2024-02-29"),
    ("select", "warm", "warm"),
    ("multi_select", ["cold", "hot"], ["cold", "hot"]),
    ("url", "https://example.com/path?q=1", "https://example.com/path?q=1"),
    ("url", "http://example.com/" + "a" * 2029, "http://example.com/" + "a" * 2029),
    ("email", "jane@example.com", "jane@example.com"),
    ("phone", "+44 20 7946 0958", "+44 20 7946 0958"),
    ("phone", "1" * 50, "1" * 50),
]

# field type, an invalid value (one per kind of mistake)
INVALID = [
    ("text", ""),
    ("text", "x" * 10_001),
    ("text", 12),
    ("text", {"a": 1}),
    ("number", "12abc"),
    ("number", True),
    ("number", "NaN"),
    ("number", "-Infinity"),
    ("number", "1000000000000000"),
    ("number", "1.0000001"),
    ("number", "1234567890.123456"),
    ("number", [1]),
    ("boolean", "true"),
    ("boolean", 0),
    ("date", "2023-02-29"),
    ("date", "29/02/2024"),
    ("date", "2024-02-29T10:00:00Z"),
    ("select", "lukewarm"),
    ("select", "HOT"),
    ("select", ["hot"]),
    ("multi_select", "hot"),
    ("multi_select", ["hot", "hot"]),
    ("multi_select", ["hot", "tepid"]),
    ("url", "ftp://example.com/file"),
    ("url", "javascript:alert(1)"),
    ("url", "http://example.com/" + "a" * 2030),
    ("email", "jane@"),
    ("email", "j" * 245 + "@example.com"),
    ("phone", "call me maybe"),
    ("phone", "1" * 51),
]


def field_options(field_type: str) -> dict:
    return {"options": SELECT_OPTIONS} if field_type in ("select", "multi_select") else {}


@pytest.mark.parametrize(("field_type", "value", "shown"), VALID)
def test_valid_values_round_trip(tenant, field_type, value, shown):
    define(tenant.api, "field", field_type, **field_options(field_type))
    record = create_ok(tenant.api, custom_fields={"field": value})
    assert record["attributes"]["custom_fields"] == {"field": shown}
    fetched = tenant.api.get(record_path("contact", record["id"])).json()["data"]
    assert fetched["attributes"]["custom_fields"] == {"field": shown}


@pytest.mark.parametrize(("field_type", "value"), INVALID)
def test_invalid_values_are_400_naming_the_field_and_change_nothing(tenant, field_type, value):
    define(tenant.api, "field", field_type, **field_options(field_type))
    response = create(tenant.api, custom_fields={"field": value})
    assert "custom_fields.field" in details(response)
    assert tenant.api.get("/v1/contacts").json()["data"] == []
    record = create_ok(tenant.api)
    response = tenant.api.patch(record_path("contact", record["id"]), {"custom_fields": {"field": value}})
    assert "custom_fields.field" in details(response)
    assert not CustomFieldValue.unscoped.exists()


@pytest.mark.parametrize("entity_type", ENTITY_TYPES)
def test_every_record_type_carries_custom_fields(tenant, entity_type):
    define(tenant.api, "score", "number", entity_type=entity_type)
    define(tenant.api, "label", "text", entity_type=entity_type)
    record = create_ok(tenant.api, entity_type, custom_fields={"score": 5})
    assert record["attributes"]["custom_fields"] == {"score": 5, "label": None}
    path = record_path(entity_type, record["id"])
    patched = tenant.api.patch(path, {"custom_fields": {"label": "x"}}).json()["data"]
    assert patched["attributes"]["custom_fields"] == {"score": 5, "label": "x"}
    listed = tenant.api.get(f"/v1/{path.split('/')[2]}").json()["data"]
    assert [row["attributes"]["custom_fields"] for row in listed] == [{"score": 5, "label": "x"}]
    assert tenant.api.delete(path).status_code == 204
    assert not CustomFieldValue.unscoped.exists()


def test_unset_fields_read_as_null_in_display_order(tenant):
    define(tenant.api, "b_field", display_order=2)
    define(tenant.api, "a_field", display_order=1)
    record = create_ok(tenant.api)
    assert list(record["attributes"]["custom_fields"].items()) == [("a_field", None), ("b_field", None)]


def test_unknown_slug_is_400(tenant):
    define(tenant.api, "score", "number", entity_type="company")
    response = create(tenant.api, custom_fields={"score": 1, "nope": 2})
    assert set(details(response)) == {"custom_fields.score", "custom_fields.nope"}


@pytest.mark.parametrize("body", [None, [], "score=1", 5])
def test_custom_fields_must_be_an_object(tenant, body):
    define(tenant.api, "score", "number")
    response = tenant.api.post("/v1/contacts", {"first_name": "Ann", "custom_fields": body})
    assert "custom_fields" in details(response)


def test_patch_merges_and_null_clears_one_value(tenant):
    define(tenant.api, "score", "number")
    define(tenant.api, "tier", "select", options=["gold", "silver"])
    define(tenant.api, "note")
    record = create_ok(tenant.api, custom_fields={"score": 1, "tier": "gold", "note": "hi"})
    path = record_path("contact", record["id"])
    response = tenant.api.patch(path, {"custom_fields": {"score": 2, "note": None}})
    assert response.json()["data"]["attributes"]["custom_fields"] == {"score": 2, "tier": "gold", "note": None}
    assert CustomFieldValue.unscoped.count() == 2
    response = tenant.api.patch(path, {"last_name": "Lee"})
    assert response.json()["data"]["attributes"]["custom_fields"] == {"score": 2, "tier": "gold", "note": None}
    assert tenant.api.patch(path, {"custom_fields": {}}).status_code == 200
    assert CustomFieldValue.unscoped.count() == 2


def test_patch_with_only_custom_fields_bumps_updated_at(tenant):
    define(tenant.api, "score", "number")
    record = create_ok(tenant.api)
    patched = tenant.api.patch(record_path("contact", record["id"]), {"custom_fields": {"score": 3}}).json()["data"]
    assert patched["attributes"]["updated_at"] > record["attributes"]["updated_at"]


def test_empty_multi_select_clears(tenant):
    define(tenant.api, "colors", "multi_select", options=["red", "blue"])
    record = create_ok(tenant.api, custom_fields={"colors": ["red"]})
    path = record_path("contact", record["id"])
    assert tenant.api.patch(path, {"custom_fields": {"colors": []}}).json()["data"]["attributes"]["custom_fields"] == {
        "colors": None
    }
    assert not CustomFieldValue.unscoped.exists()


def test_required_fields(tenant):
    define(tenant.api, "plan", "select", options=["free", "pro"], is_required=True)
    define(tenant.api, "note")
    assert "custom_fields.plan" in details(create(tenant.api))
    assert "custom_fields.plan" in details(create(tenant.api, custom_fields={"note": "x"}))
    assert "custom_fields.plan" in details(create(tenant.api, custom_fields={"plan": None}))
    record = create_ok(tenant.api, custom_fields={"plan": "pro"})
    path = record_path("contact", record["id"])
    assert "custom_fields.plan" in details(tenant.api.patch(path, {"custom_fields": {"plan": None}}))
    # a PATCH need not repeat a required field, and may change it
    assert tenant.api.patch(path, {"first_name": "Bo"}).status_code == 200
    response = tenant.api.patch(path, {"custom_fields": {"plan": "free"}})
    assert response.json()["data"]["attributes"]["custom_fields"]["plan"] == "free"


def test_required_only_applies_to_its_entity_type(tenant):
    define(tenant.api, "plan", is_required=True, entity_type="company")
    assert create(tenant.api).status_code == 201
    assert "custom_fields.plan" in details(create(tenant.api, "company"))


def test_a_failing_record_write_leaves_no_values(tenant):
    define(tenant.api, "score", "number")
    create_ok(tenant.api, email="dup@example.com")
    response = create(tenant.api, email="dup@example.com", custom_fields={"score": 1})
    assert response.status_code == 409
    assert CustomFieldValue.unscoped.count() == 0


def test_inline_needs_only_the_records_scope(tenant):
    define(tenant.api, "score", "number")
    client = tenant.client_with_scopes("contacts:read", "contacts:write")
    record = create_ok(client, custom_fields={"score": 1})
    response = client.patch(record_path("contact", record["id"]), {"custom_fields": {"score": 2}})
    assert response.json()["data"]["attributes"]["custom_fields"] == {"score": 2}
    assert client.get("/v1/contacts", {"cf.score": "2"}).status_code == 200
