"""Tags: normalization, the body field's limits and the "has all" lookup on this database."""

import pytest
from django.db import connection

from crm.models import Contact
from crm.tags import MAX_TAG_LENGTH, MAX_TAGS, TagError, normalize_tags
from tests.helpers import error_code


def test_tags_are_trimmed_lower_cased_and_deduplicated_in_first_seen_order():
    assert normalize_tags([" VIP ", "beta", "vip", "Beta", "é"]) == ["vip", "beta", "é"]


@pytest.mark.parametrize(
    "value",
    [
        "vip",
        ["ok", 3],
        ["ok", None],
        [""],
        ["   "],
        ["x" * (MAX_TAG_LENGTH + 1)],
        [f"t{i}" for i in range(MAX_TAGS + 1)],
    ],
)
def test_invalid_tag_lists_are_refused(value):
    with pytest.raises(TagError):
        normalize_tags(value)


def test_limits_hold_at_the_boundary_and_count_after_trimming_and_deduplication():
    assert normalize_tags([f"  {'x' * MAX_TAG_LENGTH}  "]) == ["x" * MAX_TAG_LENGTH]
    assert len(normalize_tags([f"t{i}" for i in range(MAX_TAGS)] + ["T0", "t1 "])) == MAX_TAGS


def test_the_api_refuses_bad_tags_and_names_the_field(tenant):
    too_many = [f"t{i}" for i in range(MAX_TAGS + 1)]
    response = tenant.api.post("/v1/contacts", {"first_name": "Ann", "tags": too_many})
    assert response.status_code == 400 and error_code(response) == "VALIDATION_ERROR"
    assert response.json()["error"]["details"][0]["field"] == "tags"
    assert tenant.api.post("/v1/contacts", {"first_name": "Ann", "tags": None}).status_code == 400
    assert not Contact.unscoped.filter(workspace=tenant.workspace).exists()


def test_patch_replaces_the_tag_list(tenant):
    contact = tenant.api.post("/v1/contacts", {"first_name": "Ann", "tags": ["a", "b"]}).json()["data"]
    response = tenant.api.patch(f"/v1/contacts/{contact['id']}", {"tags": ["C"]})
    assert response.json()["data"]["attributes"]["tags"] == ["c"]
    assert Contact.unscoped.get(pk=contact["id"]).tags == ["c"]


@pytest.fixture
def tagged(tenant):
    rows = {
        "none": [],
        "a": ["a"],
        "ab": ["a", "b"],
        "abc": ["a", "b", "c"],
        "quote": ['it\'s "x"', "50%_off"],
        "unicode": ["ünï", "a"],
    }
    return {
        name: Contact.unscoped.create(workspace=tenant.workspace, first_name=name, tags=tags).pk
        for name, tags in rows.items()
    }


@pytest.mark.parametrize(
    ("wanted", "expected"),
    [
        (["a"], {"a", "ab", "abc", "unicode"}),
        (["a", "b"], {"ab", "abc"}),
        (["b", "a", "c"], {"abc"}),
        (["a", "a"], {"a", "ab", "abc", "unicode"}),
        (["d"], set()),
        (["a", "d"], set()),
        (['it\'s "x"'], {"quote"}),
        (["50%_off"], {"quote"}),
        (["50%"], set()),
        (["ünï"], {"unicode"}),
        ([], {"none", "a", "ab", "abc", "quote", "unicode"}),
    ],
)
def test_has_all_lookup(tagged, wanted, expected):
    found = Contact.unscoped.filter(tags__has_all=wanted).values_list("pk", flat=True)
    assert set(found) == {tagged[name] for name in expected}


def test_the_tags_filter_normalizes_its_values(tenant, tagged):
    response = tenant.api.get("/v1/contacts", {"tags": " A ,B"})
    assert {row["id"] for row in response.json()["data"]} == {tagged["ab"], tagged["abc"]}


def test_an_empty_tags_filter_filters_nothing(tenant, tagged):
    assert len(tenant.api.get("/v1/contacts", {"tags": ""}).json()["data"]) == len(tagged)


@pytest.mark.parametrize("value", ["a,,b", "x" * (MAX_TAG_LENGTH + 1), ",".join(f"t{i}" for i in range(MAX_TAGS + 1))])
def test_a_bad_tags_filter_is_a_400(tenant, value):
    response = tenant.api.get("/v1/contacts", {"tags": value})
    assert response.status_code == 400 and response.json()["error"]["details"][0]["field"] == "tags"


@pytest.mark.postgres
def test_postgres_serves_the_lookup_from_a_gin_index(tenant, tagged):
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'crm_contact_tags_gin'")
        (definition,) = cursor.fetchone()
    assert "gin" in definition and "jsonb_path_ops" in definition
    sql = str(Contact.unscoped.filter(tags__has_all=["a"]).query)
    assert "@>" in sql
