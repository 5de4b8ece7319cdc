"""The `cf.` filters (contract §5) on every record list."""

import pytest

from tests.customfields.helpers import ENTITY_TYPES, RECORDS, create_ok, define, details, listed_ids

FIELDS = [
    ("note", "text", {}),
    ("score", "number", {}),
    ("active", "boolean", {}),
    ("since", "date", {}),
    ("temp", "select", {"options": ["hot", "cold", "warm"]}),
    ("colors", "multi_select", {"options": ["red", "blue", "green"]}),
    ("site", "url", {}),
    ("mail", "email", {}),
    ("tel", "phone", {}),
]
ONE = {
    "note": "Alpha Beta",
    "score": 10,
    "active": True,
    "since": "2024-01-10",
    "temp": "hot",
    "colors": ["red", "blue"],
    "site": "https://acme.com/x",
    "mail": "Ann@Acme.com",
    "tel": "+1 555 0100",
}
TWO = {
    "note": "alpha",
    "score": "20.5",
    "active": False,
    "since": "2024-02-01",
    "temp": "cold",
    "colors": ["blue"],
    "site": "http://globex.com",
    "mail": "bo@globex.com",
    "tel": "555-0199",
}


@pytest.fixture
def records(tenant):
    """Three contacts: "one" and "two" with every field set, "none" with none."""
    for slug, field_type, extra in FIELDS:
        define(tenant.api, slug, field_type, **extra)
    return {
        "one": create_ok(tenant.api, custom_fields=ONE, first_name="One")["id"],
        "two": create_ok(tenant.api, custom_fields=TWO, first_name="Two")["id"],
        "none": create_ok(tenant.api, first_name="None")["id"],
    }


CASES = [
    # text types: equality ignores case, contains is a case-insensitive substring, in is a list
    ("cf.note", "ALPHA", {"two"}),
    ("cf.note", "alpha beta", {"one"}),
    ("cf.note.contains", "ALP", {"one", "two"}),
    ("cf.note.contains", "beta", {"one"}),
    ("cf.note.in", "alpha,gamma", {"two"}),
    ("cf.note.in", "Alpha Beta,ALPHA", {"one", "two"}),
    ("cf.site", "HTTPS://ACME.COM/X", {"one"}),
    ("cf.site.contains", "globex", {"two"}),
    ("cf.site.in", "http://globex.com,https://acme.com/x", {"one", "two"}),
    ("cf.mail", "ann@acme.com", {"one"}),
    ("cf.mail.contains", "@GLOBEX", {"two"}),
    ("cf.mail.in", "bo@globex.com", {"two"}),
    ("cf.tel", "555-0199", {"two"}),
    ("cf.tel.contains", "555", {"one", "two"}),
    ("cf.tel.in", "+1 555 0100,000", {"one"}),
    # number
    ("cf.score", "10", {"one"}),
    ("cf.score", "10.000", {"one"}),
    ("cf.score", "20.5", {"two"}),
    ("cf.score.gt", "10", {"two"}),
    ("cf.score.gte", "10", {"one", "two"}),
    ("cf.score.lt", "20.5", {"one"}),
    ("cf.score.lte", "20.50", {"one", "two"}),
    ("cf.score.gt", "-1e3", {"one", "two"}),
    ("cf.score.lt", "10", set()),
    # boolean
    ("cf.active", "true", {"one"}),
    ("cf.active", "false", {"two"}),
    # date
    ("cf.since", "2024-01-10", {"one"}),
    ("cf.since.gt", "2024-01-10", {"two"}),
    ("cf.since.gte", "2024-01-10", {"one", "two"}),
    ("cf.since.lt", "2024-02-01", {"one"}),
    ("cf.since.lte", "2024-02-01", {"one", "two"}),
    # select
    ("cf.temp", "hot", {"one"}),
    ("cf.temp", "warm", set()),
    ("cf.temp.in", "hot,cold", {"one", "two"}),
    ("cf.temp.in", "warm,cold", {"two"}),
    # multi_select: equality means "has this option"
    ("cf.colors", "blue", {"one", "two"}),
    ("cf.colors", "red", {"one"}),
    ("cf.colors", "green", set()),
]
EXISTS_SLUGS = [slug for slug, _, _ in FIELDS]


def names(records, response) -> set[str]:
    by_id = {record_id: name for name, record_id in records.items()}
    return {by_id[record_id] for record_id in listed_ids(response)}


@pytest.mark.parametrize(("param", "value", "expected"), CASES, ids=[f"{p}={v}" for p, v, _ in CASES])
def test_operators(tenant, records, param, value, expected):
    assert names(records, tenant.api.get("/v1/contacts", {param: value})) == expected


@pytest.mark.parametrize("slug", EXISTS_SLUGS)
def test_exists(tenant, records, slug):
    assert names(records, tenant.api.get("/v1/contacts", {f"cf.{slug}.exists": "true"})) == {"one", "two"}
    assert names(records, tenant.api.get("/v1/contacts", {f"cf.{slug}.exists": "false"})) == {"none"}


def test_cleared_values_do_not_exist(tenant, records):
    tenant.api.patch(f"/v1/contacts/{records['one']}", {"custom_fields": {"score": None}})
    assert names(records, tenant.api.get("/v1/contacts", {"cf.score.exists": "false"})) == {"one", "none"}


BAD = [
    ("cf.unknown", "x"),
    ("cf.unknown.exists", "true"),
    ("cf.score", "abc"),
    ("cf.score.gt", "NaN"),
    ("cf.score.gte", ""),
    ("cf.score.lt", "1_0"),
    ("cf.since", "2024-13-01"),
    ("cf.since.gt", "yesterday"),
    ("cf.active", "yes"),
    ("cf.active", "1"),
    ("cf.temp", "lukewarm"),
    ("cf.temp.in", "hot,lukewarm"),
    ("cf.colors", "purple"),
    ("cf.note", ""),
    ("cf.note.in", "a,,b"),
    ("cf.note.exists", "maybe"),
    ("cf.note.in", ",".join(["x"] * 101)),
    # operators a type does not take
    ("cf.score.contains", "1"),
    ("cf.score.in", "1,2"),
    ("cf.active.gt", "true"),
    ("cf.note.gt", "a"),
    ("cf.since.in", "2024-01-10"),
    ("cf.since.contains", "2024"),
    ("cf.temp.contains", "h"),
    ("cf.temp.gt", "hot"),
    ("cf.colors.in", "red,blue"),
    ("cf.colors.contains", "re"),
    ("cf.score.eq", "10"),
    ("cf.score.between", "1"),
    ("cf.score.gt.lt", "1"),
    ("cf.", "x"),
    ("cf.Score", "10"),
]


@pytest.mark.parametrize(("param", "value"), BAD, ids=[f"{p}={v[:20]}" for p, v in BAD])
def test_bad_filters_are_400_naming_the_parameter(tenant, records, param, value):
    assert param in details(tenant.api.get("/v1/contacts", {param: value}))


def test_repeated_cf_parameter_is_400(tenant, records):
    response = tenant.api.get("/v1/contacts?cf.score.gt=1&cf.score.gt=2")
    assert "cf.score.gt" in details(response)


def test_filters_combine_with_each_other_and_with_built_in_filters(tenant, records):
    params = {"cf.score.gte": "10", "cf.colors": "blue"}
    assert names(records, tenant.api.get("/v1/contacts", params)) == {"one", "two"}
    assert names(records, tenant.api.get("/v1/contacts", {**params, "cf.active": "false"})) == {"two"}
    assert names(records, tenant.api.get("/v1/contacts", {**params, "first_name": "on"})) == {"one"}
    assert names(records, tenant.api.get("/v1/contacts", {"cf.score.exists": "false", "first_name": "on"})) == {"none"}


def test_filters_keep_sort_and_cursor(tenant):
    define(tenant.api, "score", "number")
    ids = [create_ok(tenant.api, custom_fields={"score": i}, first_name=f"p{i}")["id"] for i in range(7)]
    params = {"cf.score.gte": "2", "cf.score.lt": "6", "sort": "-first_name", "limit": 1}
    seen, cursor = [], None
    while True:
        response = tenant.api.get("/v1/contacts", {**params, **({"cursor": cursor} if cursor else {})})
        seen += listed_ids(response)
        cursor = response.json()["meta"]["pagination"]["next_cursor"]
        if cursor is None:
            break
    assert seen == [ids[5], ids[4], ids[3], ids[2]]
    # the cursor stays tied to its sort
    first = tenant.api.get("/v1/contacts", params).json()["meta"]["pagination"]["next_cursor"]
    assert "cursor" in details(tenant.api.get("/v1/contacts", {**params, "sort": "first_name", "cursor": first}))


@pytest.mark.parametrize("entity_type", ENTITY_TYPES)
def test_every_record_list_takes_cf_filters(tenant, entity_type):
    define(tenant.api, "score", "number", entity_type=entity_type)
    define(tenant.api, "kind", "select", entity_type=entity_type, options=["a", "b"])
    high = create_ok(tenant.api, entity_type, custom_fields={"score": 9, "kind": "a"})["id"]
    low = create_ok(tenant.api, entity_type, custom_fields={"score": 1})["id"]
    bare = create_ok(tenant.api, entity_type)["id"]
    path = RECORDS[entity_type][0]
    assert listed_ids(tenant.api.get(path, {"cf.score.gt": "5"})) == [high]
    assert listed_ids(tenant.api.get(path, {"cf.kind.in": "a,b"})) == [high]
    assert listed_ids(tenant.api.get(path, {"cf.kind.exists": "false", "sort": "created_at"})) == [low, bare]
    assert "cf.nope" in details(tenant.api.get(path, {"cf.nope": "1"}))
    # a slug of another entity type is unknown here
    other = "company" if entity_type != "company" else "contact"
    define(tenant.api, "only_there", entity_type=other)
    assert "cf.only_there" in details(tenant.api.get(path, {"cf.only_there": "x"}))
