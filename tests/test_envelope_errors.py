"""The envelope, request ids and error codes (contract §1, §2, §5), exercised over HTTP on the
foundation's own endpoints: bodies the parser must refuse, query-string discipline, cursors and
limits, and a cursor walk that stays exact under concurrent inserts."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from apikeys.models import ApiKey
from apikeys.services import apikey_create
from nodestash.pagination import paginate
from nodestash.sorting import SortField, SortSpec
from tests.helpers import Api

KEYS = "/v1/api-keys"
REQUEST_ID = re.compile(r"^req_[0-9A-Za-z]{24}$")
INTERNAL_WORDS = ("Traceback", 'File "', "django", "rest_framework", "nodestash.", "sqlite", "psycopg", "SELECT ")


def assert_request_id(response):
    request_id = response["X-Request-Id"]
    assert REQUEST_ID.match(request_id)
    if response.content:
        assert response.json()["meta"]["request_id"] == request_id
    return request_id


def assert_error(response, status: int, code: str, field: str | None = "-"):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error", "meta"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    assert_request_id(response)
    text = response.content.decode()
    assert not [word for word in INTERNAL_WORDS if word in text], text
    if field != "-":
        assert field in [detail["field"] for detail in body["error"]["details"]], body
    return body["error"]


def add_keys(tenant, count: int) -> list[str]:
    return [apikey_create(workspace=tenant.workspace, name=f"k{i}", scopes=["*"])[0].pk for i in range(count)]


# -- envelope and request ids -----------------------------------------------------------


def test_single_resource_envelope(tenant):
    response = tenant.api.get("/v1/workspace")
    body = response.json()
    assert set(body) == {"data", "meta"}
    assert set(body["data"]) == {"id", "type", "attributes"}
    assert body["data"]["id"] == body["data"]["attributes"]["id"] == tenant.workspace.pk
    assert body["data"]["type"] == "workspace"
    assert_request_id(response)


def test_list_envelope(tenant):
    response = tenant.api.get(KEYS)
    body = response.json()
    assert set(body) == {"data", "meta"}
    assert body["meta"]["pagination"] == {"next_cursor": None, "has_more": False}
    assert [item["type"] for item in body["data"]] == ["api_key"]
    assert_request_id(response)


def test_each_request_gets_its_own_id_and_a_client_supplied_one_is_not_trusted(tenant):
    first = assert_request_id(tenant.api.get("/v1/workspace"))
    second = assert_request_id(tenant.api.get("/v1/workspace", headers={"HTTP_X_REQUEST_ID": "req_mine"}))
    assert first != second and second != "req_mine"


def test_204_has_no_body_but_a_request_id(tenant):
    (key_id,) = add_keys(tenant, 1)
    response = tenant.api.delete(f"{KEYS}/{key_id}")
    assert response.status_code == 204 and response.content == b""
    assert_request_id(response)


@pytest.mark.parametrize("path", ["/v1/nope", "/nope", "/v1/api-keys/", "/v1/workspace/", "/v1", "/"])
def test_unknown_routes_are_404_in_the_envelope(tenant, anon, path):
    for client in (tenant.api, anon):
        assert_error(client.get(path), 404, "NOT_FOUND")


@pytest.mark.parametrize("method,path", [("put", KEYS), ("post", "/v1/workspace"), ("delete", "/v1/billing/plans")])
def test_method_not_allowed(tenant, method, path):
    response = tenant.api.raw(method, path, b"{}")
    assert_error(response, 405, "METHOD_NOT_ALLOWED")
    assert method.upper() not in response["Allow"]


def test_unacceptable_accept_header_is_406(tenant):
    response = tenant.api.get("/v1/workspace", headers={"HTTP_ACCEPT": "application/xml"})
    assert_error(response, 406, "NOT_ACCEPTABLE")


def test_health_probes_carry_request_ids(anon):
    for path in ("/healthz", "/readyz"):
        response = anon.get(path)
        assert response.status_code == 200
        assert REQUEST_ID.match(response["X-Request-Id"])


# -- bodies -----------------------------------------------------------------------------

BAD_BODIES = {
    "malformed json": b'{"name": "x",',
    "trailing garbage": b'{"name": "x", "scopes": ["*"]} x',
    "nan": b'{"name": NaN, "scopes": ["*"]}',
    "infinity": b'{"name": "x", "scopes": ["*"], "n": Infinity}',
    "invalid utf-8": b'{"name": "\xff\xfe", "scopes": ["*"]}',
    "nul in value": b'{"name": "a\\u0000b", "scopes": ["*"]}',
    "nul in key": b'{"na\\u0000me": "x", "scopes": ["*"]}',
    "nul in nested value": b'{"name": "x", "scopes": ["\\u0000"]}',
    "lone surrogate": b'{"name": "\\ud800", "scopes": ["*"]}',
    "lone low surrogate in key": b'{"\\udc00": "x"}',
    "33 levels": b'{"name": ' + b"[" * 33 + b"]" * 33 + b"}",
    "very deep": b"[" * 100_000 + b"]" * 100_000,
}


@pytest.mark.parametrize("body", BAD_BODIES.values(), ids=BAD_BODIES.keys())
def test_unreadable_bodies_are_400_and_change_nothing(tenant, body):
    error = assert_error(tenant.api.raw("post", KEYS, body), 400, "VALIDATION_ERROR")
    assert error["details"] == [{"field": None, "message": error["message"]}]
    assert ApiKey.unscoped.filter(workspace=tenant.workspace).count() == 1


def test_32_levels_of_nesting_are_parsed(tenant):
    body = b'{"name": "x", "scopes": ["*"], "extra": ' + b"[" * 31 + b"]" * 31 + b"}"
    assert_error(tenant.api.raw("post", KEYS, body), 400, "VALIDATION_ERROR", field="extra")  # unknown field


def test_a_valid_surrogate_pair_is_fine(tenant):
    response = tenant.api.raw("post", KEYS, b'{"name": "rocket \\ud83d\\ude80", "scopes": ["*"]}')
    assert response.status_code == 201
    assert response.json()["data"]["attributes"]["name"] == "rocket \U0001f680"


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "text/json"]
)
def test_non_json_bodies_are_415(tenant, content_type):
    response = tenant.api.raw("post", KEYS, b'{"name": "x", "scopes": ["*"]}', content_type=content_type)
    assert_error(response, 415, "UNSUPPORTED_MEDIA_TYPE")
    assert ApiKey.unscoped.filter(workspace=tenant.workspace).count() == 1


def test_json_with_a_charset_is_fine(tenant):
    response = tenant.api.raw(
        "post", KEYS, b'{"name": "x", "scopes": ["*"]}', content_type="application/json; charset=utf-8"
    )
    assert response.status_code == 201


@pytest.mark.parametrize("client_name", ["tenant", "anon"])
def test_oversized_body_is_413_before_authentication(tenant, anon, client_name):
    client = tenant.api if client_name == "tenant" else anon
    body = b'{"name": "' + b"x" * (1024 * 1024) + b'", "scopes": ["*"]}'
    assert_error(client.raw("post", KEYS, body), 413, "PAYLOAD_TOO_LARGE")
    assert ApiKey.unscoped.filter(workspace=tenant.workspace).count() == 1


def test_a_body_of_exactly_the_limit_is_read(tenant):
    padding = 1024 * 1024 - len(b'{"name": "", "scopes": ["*"]}')
    body = b'{"name": "' + b"x" * padding + b'", "scopes": ["*"]}'
    assert len(body) == 1024 * 1024
    assert_error(tenant.api.raw("post", KEYS, body), 400, "VALIDATION_ERROR", field="name")  # too long a name


@pytest.mark.parametrize("body", [b"[]", b'"text"', b"42", b"null"])
def test_a_body_that_is_not_an_object_is_400(tenant, body):
    assert_error(tenant.api.raw("post", KEYS, body), 400, "VALIDATION_ERROR", field=None)


def test_validation_details_use_dotted_paths(tenant):
    response = tenant.api.post(KEYS, {"name": "x", "scopes": ["deals:read", "nope"]})
    error = assert_error(response, 400, "VALIDATION_ERROR", field="scopes.1")
    assert error["message"].startswith("Invalid request: scopes.1:")


def test_unknown_and_read_only_body_fields(tenant):
    assert_error(
        tenant.api.post(KEYS, {"name": "x", "scopes": ["*"], "colour": "red"}), 400, "VALIDATION_ERROR", "colour"
    )
    response = tenant.api.post(KEYS, {"name": "x", "scopes": ["*"], "id": "key_mine", "revoked_at": "2020-01-01"})
    assert response.status_code == 201
    attributes = response.json()["data"]["attributes"]
    assert attributes["id"] != "key_mine" and attributes["revoked_at"] is None


# -- query strings ----------------------------------------------------------------------


@pytest.mark.parametrize("path", [KEYS, "/v1/workspace", "/v1/billing/plans", "/v1/billing/subscription"])
def test_unknown_query_parameter_is_400_naming_it(tenant, path):
    error = assert_error(tenant.api.get(path, {"colour": "red"}), 400, "VALIDATION_ERROR", field="colour")
    assert "colour" in error["message"]


def test_unknown_query_parameter_on_a_detail_route_and_a_write(tenant):
    (key_id,) = add_keys(tenant, 1)
    assert_error(tenant.api.get(f"{KEYS}/{key_id}", {"limit": "5"}), 400, "VALIDATION_ERROR", field="limit")
    response = tenant.api.client.delete(f"{KEYS}/{key_id}?force=1", HTTP_AUTHORIZATION=f"Bearer {tenant.key}")
    assert_error(response, 400, "VALIDATION_ERROR", field="force")
    assert ApiKey.unscoped.get(pk=key_id).revoked_at is None


def test_a_missing_object_is_404_before_a_bad_query_parameter(tenant):
    response = tenant.api.get(f"{KEYS}/key_{'0' * 21}", {"colour": "red"})
    assert_error(response, 404, "NOT_FOUND")


@pytest.mark.parametrize(
    "query",
    ["limit=5&limit=6", "sort=created_at&sort=-created_at", "created_after=2020-01-01&created_after=2021-01-01"],
)
def test_a_repeated_query_parameter_is_400(tenant, query):
    name = query.split("=")[0]
    response = tenant.api.get(f"{KEYS}?{query}")
    assert_error(response, 400, "VALIDATION_ERROR", field=name)


@pytest.mark.parametrize(
    "query",
    ["sort=created_at%00", "so%00rt=created_at", "sort=%FF", "cursor=%ED%A0%80", "%C3=1", "limit=%C3%A9%FF"],
)
def test_nul_or_invalid_utf8_in_the_query_string_is_400(tenant, query):
    error = assert_error(tenant.api.get(f"{KEYS}?{query}"), 400, "VALIDATION_ERROR")
    assert "UTF-8" in error["message"]


@pytest.mark.parametrize("limit", ["0", "101", "abc", "-1", "1.5", "", " 5", "\u0661", "99999999999999999999"])
def test_limit_out_of_range_is_400(tenant, limit):
    assert_error(tenant.api.get(KEYS, {"limit": limit}), 400, "VALIDATION_ERROR", field="limit")


@pytest.mark.parametrize("limit", ["1", "100"])
def test_limit_bounds_are_accepted(tenant, limit):
    assert tenant.api.get(KEYS, {"limit": limit}).status_code == 200


@pytest.mark.parametrize(
    "sort", ["name", "key_hash", "-workspace", "created_at,", ",", "created_at,created_at", "--created_at"]
)
def test_unknown_or_malformed_sort_is_400(tenant, sort):
    assert_error(tenant.api.get(KEYS, {"sort": sort}), 400, "VALIDATION_ERROR", field="sort")


def test_sort_orders_with_id_tie_break(tenant):
    ids = add_keys(tenant, 4)
    same = timezone.now()
    ApiKey.unscoped.filter(workspace=tenant.workspace).update(created_at=same)
    everything = sorted([*ids, ApiKey.unscoped.get(workspace=tenant.workspace, name="Default key").pk])
    ascending = [item["id"] for item in tenant.api.get(KEYS, {"sort": "created_at"}).json()["data"]]
    descending = [item["id"] for item in tenant.api.get(KEYS).json()["data"]]
    assert ascending == everything
    assert descending == everything[::-1]


def test_created_window_is_inclusive_after_and_exclusive_before(tenant):
    (key_id,) = add_keys(tenant, 1)
    stamp = ApiKey.unscoped.get(pk=key_id).created_at.isoformat()
    after = [item["id"] for item in tenant.api.get(KEYS, {"created_after": stamp}).json()["data"]]
    before = [item["id"] for item in tenant.api.get(KEYS, {"created_before": stamp}).json()["data"]]
    assert key_id in after and key_id not in before


@pytest.mark.parametrize("name", ["created_after", "created_before", "updated_after", "updated_before"])
def test_bad_timestamp_filters_are_400(tenant, name):
    assert_error(tenant.api.get(KEYS, {name: "yesterday"}), 400, "VALIDATION_ERROR", field=name)


# -- cursors ----------------------------------------------------------------------------


def next_cursor(client, params) -> str:
    cursor = client.get(KEYS, params).json()["meta"]["pagination"]["next_cursor"]
    assert cursor
    return cursor


def test_bad_cursors_are_400(tenant, other_tenant):
    add_keys(tenant, 3)
    add_keys(other_tenant, 3)
    good = next_cursor(tenant.api, {"limit": 1})
    tampered = good[:-3] + ("AAA" if not good.endswith("AAA") else "BBB")
    foreign = next_cursor(other_tenant.api, {"limit": 1})
    ascending = next_cursor(tenant.api, {"limit": 1, "sort": "created_at"})
    cases = {
        "garbage": "abc",
        "empty": "",
        "tampered": tampered,
        "other workspace": foreign,
        "other sort (default vs ascending)": ascending,
        "non-ascii": "é" * 10,
        "very long": "x" * 5000,
    }
    for name, cursor in cases.items():
        response = tenant.api.get(KEYS, {"limit": 1, "cursor": cursor})
        assert response.status_code == 400, name
        assert_error(response, 400, "VALIDATION_ERROR", field="cursor")
    other_sort = tenant.api.get(KEYS, {"limit": 1, "cursor": good, "sort": "updated_at"})
    assert_error(other_sort, 400, "VALIDATION_ERROR", field="cursor")
    assert tenant.api.get(KEYS, {"limit": 1, "cursor": good}).status_code == 200


def walk(client, params) -> list[str]:
    seen, cursor = [], None
    while True:
        page = client.get(KEYS, {**params, **({"cursor": cursor} if cursor else {})}).json()
        seen.extend(item["id"] for item in page["data"])
        cursor = page["meta"]["pagination"]["next_cursor"]
        assert page["meta"]["pagination"]["has_more"] is (cursor is not None)
        if cursor is None:
            return seen


@pytest.mark.parametrize("sort", ["-created_at", "created_at", "-updated_at"])
def test_cursor_walk_visits_every_row_once_with_inserts_between_pages(tenant, sort):
    original = set(add_keys(tenant, 9)) | {ApiKey.unscoped.get(workspace=tenant.workspace, name="Default key").pk}
    seen, cursor, inserted = [], None, []
    while True:
        params = {"limit": 3, "sort": sort, **({"cursor": cursor} if cursor else {})}
        page = tenant.api.get(KEYS, params).json()
        seen.extend(item["id"] for item in page["data"])
        cursor = page["meta"]["pagination"]["next_cursor"]
        if cursor is None:
            break
        inserted.extend(add_keys(tenant, 2))  # lands before the cursor (descending) or after it (ascending)
    assert len(seen) == len(set(seen))
    assert original <= set(seen)
    assert set(seen) <= original | set(inserted)


def test_cursor_walk_with_identical_timestamps_relies_on_the_id(tenant):
    add_keys(tenant, 6)
    ApiKey.unscoped.filter(workspace=tenant.workspace).update(created_at=timezone.now())
    everything = set(ApiKey.unscoped.filter(workspace=tenant.workspace).values_list("pk", flat=True))
    for sort in ("-created_at", "created_at"):
        seen = walk(tenant.api, {"limit": 2, "sort": sort})
        assert len(seen) == len(set(seen)) == len(everything) and set(seen) == everything


def test_a_walk_never_crosses_into_another_workspace(tenant, other_tenant):
    add_keys(tenant, 4)
    add_keys(other_tenant, 4)
    seen = walk(tenant.api, {"limit": 2})
    assert set(seen) == set(ApiKey.unscoped.filter(workspace=tenant.workspace).values_list("pk", flat=True))


@pytest.mark.parametrize("descending", [False, True])
def test_nullable_sort_fields_put_nulls_last_in_both_directions_across_pages(tenant, descending):
    ids = add_keys(tenant, 6)
    base = timezone.now()
    for offset, key_id in enumerate(ids[:4]):
        ApiKey.unscoped.filter(pk=key_id).update(last_used_at=base - timedelta(minutes=offset))
    sort = SortSpec((SortField("last_used_at", descending),))
    queryset = ApiKey.unscoped.filter(workspace=tenant.workspace)
    seen, cursor = [], None
    while True:
        rows, cursor = paginate(queryset, sort, limit=2, cursor=cursor, workspace_id=tenant.workspace.pk)
        seen.extend(rows)
        if cursor is None:
            break
    assert len({row.pk for row in seen}) == len(seen) == queryset.count()
    stamps = [row.last_used_at for row in seen]
    present = [stamp for stamp in stamps if stamp is not None]
    assert stamps[: len(present)] == present  # every null after every value
    assert present == sorted(present, reverse=descending)
    nulls = [row.pk for row in seen if row.last_used_at is None]
    assert nulls == sorted(nulls, reverse=descending)


def test_another_key_of_the_same_workspace_may_continue_a_walk(tenant):
    """Cursors are bound to the workspace, not to the key: another key of the same workspace may continue."""
    add_keys(tenant, 3)
    cursor = next_cursor(tenant.api, {"limit": 2})
    _, plaintext = apikey_create(workspace=tenant.workspace, name="second", scopes=["*"])
    assert Api(plaintext).get(KEYS, {"limit": 2, "cursor": cursor}).status_code == 200


# -- regressions ------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/v1/nope", "/v1/api-keys/", "/nope"])
def test_a_write_to_an_unknown_route_is_404_even_where_csrf_is_enforced(path):
    """A real client has no CSRF cookie; the catch-all must not answer with Django's HTML CSRF page."""
    from rest_framework.test import APIClient

    response = APIClient(enforce_csrf_checks=True).post(path, {"a": 1}, format="json")
    assert_error(response, 404, "NOT_FOUND")


def test_format_is_an_unknown_query_parameter_like_any_other(tenant):
    """DRF's ?format= switch is off (URL_FORMAT_OVERRIDE = None): accepting it would silently ignore it."""
    for value in ("json", "xml", "api"):
        assert_error(tenant.api.get(KEYS, {"format": value}), 400, "VALIDATION_ERROR", field="format")


def test_a_list_returned_whole_gets_the_list_shape():
    """Views that return a bare list (plans, a record's custom field values) get §1's list meta too."""
    from nodestash.renderers import envelope

    body = envelope([{"id": "x"}])
    assert body["data"] == [{"id": "x"}]
    assert body["meta"]["pagination"] == {"next_cursor": None, "has_more": False}
    assert set(body["meta"]) == {"request_id", "pagination"}
    assert "pagination" not in envelope({"id": "x", "type": "t", "attributes": {}})["meta"]


def test_too_many_query_parameters_is_400_not_500(tenant):
    query = "&".join(f"p{i}=1" for i in range(1100))
    response = tenant.api.client.get(f"{KEYS}?{query}", HTTP_AUTHORIZATION=f"Bearer {tenant.key}")
    error = assert_error(response, 400, "VALIDATION_ERROR", field=None)
    assert "Too many query parameters" in error["message"]


def test_a_host_outside_allowed_hosts_is_400_in_the_envelope(tenant):
    response = tenant.api.client.get(KEYS, HTTP_HOST="evil.example", HTTP_AUTHORIZATION=f"Bearer {tenant.key}")
    assert_error(response, 400, "VALIDATION_ERROR", field=None)


def test_a_content_length_that_is_not_a_number_is_400(tenant):
    response = tenant.api.client.post(
        KEYS, b"{}", content_type="application/json", CONTENT_LENGTH="ten", HTTP_AUTHORIZATION=f"Bearer {tenant.key}"
    )
    assert_error(response, 400, "VALIDATION_ERROR", field=None)


@pytest.mark.parametrize("value", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"])
def test_a_timestamp_filter_beyond_the_representable_range_is_400(tenant, value):
    response = tenant.api.get(KEYS, {"created_after": value})
    assert_error(response, 400, "VALIDATION_ERROR", field="created_after")


@pytest.mark.parametrize("value", ["0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "2026-01-15T12:00:00+05:30"])
def test_timestamp_filters_at_the_edges_and_with_offsets_are_fine(tenant, value):
    assert tenant.api.get(KEYS, {"created_before": value}).status_code == 200
