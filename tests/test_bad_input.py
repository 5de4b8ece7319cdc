"""The bad input catalog (contract §2): whatever a client sends, the answer is a clear 4xx in the
error envelope (or a correct 2xx for valid unicode, round-tripped exactly) and the database is
exactly as it was (every row of every table compared before and after).
"""

import itertools
import json
from urllib.parse import urlparse

import pytest
from rest_framework import serializers
from rest_framework.test import APIClient

from apikeys.serializers import ApiKeySerializer, ApiKeyUpdateSerializer, RotateSerializer
from crm.serializers.activities import ActivitySerializer
from crm.serializers.companies import CompanySerializer
from crm.serializers.contacts import ContactSerializer
from crm.serializers.deals import DealSerializer
from crm.serializers.fields import OptionalTextField
from crm.serializers.pipelines import PipelineSerializer, StageSerializer
from crm.tags import TagsSerializerField, normalize_tags
from customfields.serializers import (
    CustomFieldDefinitionSerializer,
    CustomFieldsField,
    CustomFieldValuesWriteSerializer,
)
from nodestash.filtering import TYPED_FILTERS
from tests.helpers import Api, error_code
from tests.isolation_fixtures import CF_SLUG, populate, snapshot, unthrottled
from tests.routes import api_routes
from tests.test_isolation_matrix import PATH_KINDS, action_of, fill
from workspaces.serializers import SignupSerializer, WorkspaceSerializer
from workspaces.tenancy.fields import WorkspaceRelatedField


@pytest.fixture(autouse=True)
def _unthrottled():
    with unthrottled():
        yield


@pytest.fixture
def world(tenant, settings):
    settings.SIGNUP_RATE = "100000/h"  # the catalog signs up many times from one address
    return populate(tenant, "Acme")


def assert_clean_4xx(response, status=400, code="VALIDATION_ERROR"):
    assert response.status_code == status, response.content
    body = response.json()
    assert error_code(response) == code, body
    assert body["meta"]["request_id"] == response["X-Request-Id"]
    assert "Traceback" not in response.content.decode() and "django" not in response.content.decode()
    return body


# -- regressions found by the fuzzer ------------------------------------------------------------


def test_a_percent_sign_in_an_id_filter_is_a_400_not_a_500(world):
    """django-filter formats messages with `%`: one quoting the value crashed on `%` (fuzzer)."""
    before = snapshot()
    for value in ("100%", "%s", "%(x)s", "ct_%d%%"):
        response = world.api.get("/v1/activities", {"contact_id": value})
        body = assert_clean_4xx(response)
        assert body["error"]["details"][0]["field"] == "contact_id"
        assert value[:10] in body["error"]["details"][0]["message"]
    assert snapshot() == before


class NoAddressClient(APIClient):
    """A client whose requests carry no REMOTE_ADDR (optional in WSGI; unix-socket servers)."""

    def _base_environ(self, **request):
        environ = super()._base_environ(**request)
        environ.pop("REMOTE_ADDR", None)
        return environ


@pytest.mark.parametrize("remote_addr", [None, ""])
def test_signup_without_a_client_address_is_served_and_still_limited(settings, remote_addr):
    """django-ratelimit's IP key raised on a missing or empty REMOTE_ADDR (fuzzer: a 500)."""
    settings.SIGNUP_RATE = "2/h"
    client = NoAddressClient()
    extra = {} if remote_addr is None else {"REMOTE_ADDR": remote_addr}
    statuses = []
    for number in range(3):
        body = {"email": f"person{number}@example.com", "password": "correct-horse-battery-staple-42"}
        statuses.append(client.post("/v1/signup", body, format="json", **extra).status_code)
    assert statuses == [201, 201, 429]


def test_every_typed_filter_sent_empty_is_a_400_naming_it(world):
    """django-filter skipped an empty filter: `?company_id=` answered the unfiltered list (fuzzer).
    Text filters (substring, tags) keep "empty matches everything"."""
    checked = 0
    for route in list_routes():
        filters = route.view_class.filterset_class.base_filters
        for name, filter_ in filters.items():
            response = world.api.get(own_path(route.template, world), {name: ""})
            if not isinstance(filter_, TYPED_FILTERS):
                assert response.status_code == 200, (route.template, name)
                continue
            checked += 1
            body = assert_clean_4xx(response)
            assert body["error"]["details"][0]["field"] == name
    assert checked >= 40


def test_an_undeclared_method_is_a_405_even_with_an_idempotency_key(world):
    """The idempotency layer claimed the key before DRF's method check: a PUT on /rotate with a
    reused key was a 409, and a fresh key was spent on a 405 (fuzzer)."""
    path = f"/v1/api-keys/{world.ids['api_key']}/rotate"
    headers = {"HTTP_IDEMPOTENCY_KEY": "rotate-once"}
    for _ in range(2):
        response = world.api.put(path, {"grace_period_seconds": 60}, headers=headers)
        assert_clean_4xx(response, status=405, code="METHOD_NOT_ALLOWED")
    assert world.api.post(path, {"grace_period_seconds": 60}, headers=headers).status_code == 201


# -- the written routes -------------------------------------------------------------------------

# Every route and method that takes a body: a valid body (on A's own records) and the serializer
# whose writable fields the catalog attacks. Complete: checked against the URL configuration.
WRITES = {
    ("/v1/signup", "POST"): (
        {"email": "probe@example.com", "password": "correct-horse-battery-staple-42"},
        SignupSerializer,
    ),
    ("/v1/workspace", "PATCH"): ({"name": "Probe"}, WorkspaceSerializer),
    ("/v1/api-keys", "POST"): ({"name": "Probe", "scopes": ["contacts:read"]}, ApiKeySerializer),
    ("/v1/api-keys/{pk}", "PATCH"): ({"name": "Probe"}, ApiKeyUpdateSerializer),
    ("/v1/api-keys/{pk}/rotate", "POST"): ({"grace_period_seconds": 60}, RotateSerializer),
    ("/v1/contacts", "POST"): ({"first_name": "Probe"}, ContactSerializer),
    ("/v1/contacts/{pk}", "PATCH"): ({"first_name": "Probe"}, ContactSerializer),
    ("/v1/contacts/{pk}/custom-fields", "PUT"): ({"fields": {CF_SLUG: "Probe"}}, CustomFieldValuesWriteSerializer),
    ("/v1/companies", "POST"): ({"name": "Probe"}, CompanySerializer),
    ("/v1/companies/{pk}", "PATCH"): ({"name": "Probe"}, CompanySerializer),
    ("/v1/companies/{pk}/custom-fields", "PUT"): ({"fields": {CF_SLUG: "Probe"}}, CustomFieldValuesWriteSerializer),
    ("/v1/deals", "POST"): ({"title": "Probe"}, DealSerializer),
    ("/v1/deals/{pk}", "PATCH"): ({"title": "Probe"}, DealSerializer),
    ("/v1/deals/{pk}/custom-fields", "PUT"): ({"fields": {CF_SLUG: "Probe"}}, CustomFieldValuesWriteSerializer),
    ("/v1/pipelines", "POST"): ({"name": "Probe"}, PipelineSerializer),
    ("/v1/pipelines/{pk}", "PATCH"): ({"name": "Probe"}, PipelineSerializer),
    ("/v1/pipelines/{pipeline_pk}/stages", "POST"): ({"name": "Probe"}, StageSerializer),
    ("/v1/pipelines/{pipeline_pk}/stages/{pk}", "PATCH"): ({"name": "Probe"}, StageSerializer),
    ("/v1/activities", "POST"): ({"type": "note"}, ActivitySerializer),
    ("/v1/activities/{pk}", "PATCH"): ({"subject": "Probe"}, ActivitySerializer),
    ("/v1/activities/{pk}/custom-fields", "PUT"): ({"fields": {CF_SLUG: "Probe"}}, CustomFieldValuesWriteSerializer),
    ("/v1/custom-fields", "POST"): (
        {"entity_type": "contact", "name": "Probe", "field_type": "text"},
        CustomFieldDefinitionSerializer,
    ),
    ("/v1/custom-fields/{pk}", "PATCH"): ({"name": "Probe"}, CustomFieldDefinitionSerializer),
}
WRITE_METHODS = ("POST", "PATCH", "PUT")


def required_fields(serializer_class) -> list[str]:
    return [name for name, field in writable_fields(serializer_class).items() if field.required]


def write_cases():
    """(template, method, valid body, serializer class) of every route that takes a body."""
    for (template, method), (body, serializer_class) in WRITES.items():
        yield template, method, body, serializer_class


def own_path(template: str, world) -> str:
    return fill(template, {param: world.ids[kind] for param, kind in PATH_KINDS[template].items()})


def send(world, method: str, template: str, body, **extra):
    """Signup is public: no key (a key would not hurt, but keeps the request honest)."""
    api = Api() if template == "/v1/signup" else world.api
    return getattr(api, method.lower())(own_path(template, world), body, **extra)


def raw(world, method: str, template: str, data: bytes, content_type: str = "application/json"):
    api = Api() if template == "/v1/signup" else world.api
    return api.raw(method, own_path(template, world), data, content_type=content_type)


def test_the_write_table_covers_every_route_that_takes_a_body():
    written = {(r.template, m) for r in api_routes() for m in r.methods if m in WRITE_METHODS}
    assert written == set(WRITES)


def test_every_valid_probe_body_is_accepted(world):
    """The bodies below are valid, so each attack changes exactly one thing about a good request."""
    for (template, method), (body, _) in WRITES.items():
        response = send(world, method, template, body)
        assert response.status_code in (200, 201), f"{method} {template}: {response.content[:300]}"


# -- wrong types in every field -----------------------------------------------------------------


def wrong_values(field) -> list:
    """Values of the wrong JSON type for a serializer field (none of them can be valid)."""
    if isinstance(field, WorkspaceRelatedField):
        return [123, [], {}, True, "not-an-id"]
    if isinstance(field, serializers.BooleanField):
        return [[], {}, "maybe", 7]
    if isinstance(field, serializers.IntegerField | serializers.DecimalField):
        return ["abc", [], {}, True]
    if isinstance(field, serializers.DateTimeField | serializers.DateField):
        return ["yesterday", [], {}, 12, True]
    if isinstance(field, serializers.ChoiceField):
        return ["not-a-choice", [], {}, 12]
    if isinstance(field, serializers.ListField | serializers.ListSerializer | TagsSerializerField):
        return ["text", {}, 5, True]
    if isinstance(field, CustomFieldsField):
        return [[1], "text", 5, True]
    if isinstance(field, serializers.JSONField):
        return ["text", 5, True] if field.field_name != "options" else [{"a": 1}, "text", 5, True]
    if isinstance(field, serializers.CharField):
        return [[], {}, True, {"$gt": ""}, -11456, 1.5]
    raise AssertionError(f"no wrong values for {type(field).__name__} {field.field_name}: add them")


def writable_fields(serializer_class) -> dict:
    serializer = serializer_class(context={})
    return {name: field for name, field in serializer.fields.items() if not field.read_only}


def test_wrong_types_in_every_field_are_400_and_change_nothing(world):
    before = snapshot()
    problems, checked = [], 0
    for template, method, body, serializer_class in write_cases():
        for name, field in writable_fields(serializer_class).items():
            for value in wrong_values(field):
                checked += 1
                response = send(world, method, template, {**body, name: value})
                where = f"{method} {template} {name}={value!r}"
                if response.status_code != 400 or error_code(response) != "VALIDATION_ERROR":
                    problems.append(f"{where}: {response.status_code} {response.content[:200]}")
                elif not any((d["field"] or "").split(".")[0] == name for d in response.json()["error"]["details"]):
                    problems.append(f"{where}: the error does not name the field: {response.json()}")
    assert checked > 250
    assert not problems, "\n".join(problems)
    assert snapshot() == before


# -- malformed bodies, content types, missing bodies ----------------------------------------------

MALFORMED = {
    "truncated": b'{"name": "x"',
    "trailing garbage": b'{"name": "x"} x',
    "single quotes": b"{'name': 'x'}",
    "bare NaN": b'{"name": NaN}',
    "bare Infinity": b'{"name": Infinity}',
    "array body": b'[{"name": "x"}]',
    "string body": b'"name"',
    "number body": b"42",
    "null body": b"null",
    "escaped NUL": b'{"name": "a\\u0000b"}',
    "NUL in a key": b'{"na\\u0000me": "x"}',
    "lone surrogate": b'{"name": "\\ud800"}',
    "invalid UTF-8": b'{"name": "\xff\xfe"}',
    "UTF-16": '{"name": "x"}'.encode("utf-16"),
    "33 levels": b'{"name": ' + b"[" * 33 + b"]" * 33 + b"}",
    "100000 levels": b"[" * 100_000 + b"]" * 100_000,
    "duplicate keys, one bad": b'{"name": "x", "name": []}',
}


def test_malformed_json_is_a_400_and_changes_nothing(world):
    before = snapshot()
    problems = []
    for template, method, _, _ in write_cases():
        for label, data in MALFORMED.items():
            response = raw(world, method, template, data)
            if response.status_code != 400 or error_code(response) != "VALIDATION_ERROR":
                problems.append(f"{method} {template} {label}: {response.status_code} {response.content[:200]}")
    assert not problems, "\n".join(problems)
    assert snapshot() == before


WRONG_CONTENT_TYPES = [
    "text/plain",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=xyz",
    "application/xml",
    "application/jsonx",
]


def test_a_body_that_is_not_json_is_a_415_and_changes_nothing(world):
    before = snapshot()
    problems = []
    for template, method, body, _ in write_cases():
        for content_type in WRONG_CONTENT_TYPES:
            response = raw(world, method, template, json.dumps(body).encode(), content_type=content_type)
            if response.status_code != 415 or error_code(response) != "UNSUPPORTED_MEDIA_TYPE":
                problems.append(f"{method} {template} {content_type}: {response.status_code} {response.content[:200]}")
    assert not problems, "\n".join(problems)
    assert snapshot() == before


def test_a_create_without_a_body_is_a_400_naming_the_required_fields(world):
    before = snapshot()
    creates = [t for t, m, _, serializer_class in write_cases() if m == "POST" and required_fields(serializer_class)]
    assert len(creates) >= 8
    for template in creates:
        for data in (b"", b"{}"):
            response = raw(world, "POST", template, data)
            assert_clean_4xx(response)
            fields = {detail["field"] for detail in response.json()["error"]["details"]}
            assert fields and None not in fields, (template, response.content)
    assert snapshot() == before


def test_a_body_over_one_mebibyte_is_a_413_and_changes_nothing(world):
    before = snapshot()
    huge = json.dumps({"first_name": "x", "title": "y" * (1024 * 1024)}).encode()
    for template, method in (("/v1/contacts", "POST"), ("/v1/contacts/{pk}", "PATCH"), ("/v1/signup", "POST")):
        assert_clean_4xx(raw(world, method, template, huge), status=413, code="PAYLOAD_TOO_LARGE")
    assert snapshot() == before


# -- sizes: huge strings and arrays -----------------------------------------------------------


def text_fields(serializer_class) -> dict:
    return {
        name: field
        for name, field in writable_fields(serializer_class).items()
        if type(field) in (serializers.CharField, OptionalTextField) and field.max_length
    }


def test_strings_over_their_limit_are_400_and_change_nothing(world):
    before = snapshot()
    problems, checked = [], 0
    for template, method, body, serializer_class in write_cases():
        for name, field in text_fields(serializer_class).items():
            for value in ("x" * (field.max_length + 1), "😀" * (field.max_length + 1), "x" * 500_000):
                checked += 1
                response = send(world, method, template, {**body, name: value})
                if response.status_code != 400 or error_code(response) != "VALIDATION_ERROR":
                    where = f"{method} {template} {name} of {len(value)}"
                    problems.append(f"{where}: {response.status_code} {response.content[:200]}")
    assert checked > 100
    assert not problems, "\n".join(problems)
    assert snapshot() == before


HUGE_ARRAYS = [
    ("/v1/contacts", "POST", {"first_name": "x", "tags": [f"t{i}" for i in range(10_000)]}),
    ("/v1/contacts", "POST", {"first_name": "x", "tags": ["same"] * 10_000 + [f"t{i}" for i in range(21)]}),
    ("/v1/deals", "POST", {"title": "x", "tags": [[]] * 1000}),
    ("/v1/api-keys", "POST", {"name": "x", "scopes": ["contacts:read"] * 10_000}),
    ("/v1/pipelines", "POST", {"name": "x", "stages": [{"name": f"s{i}", "type": "open"} for i in range(51)]}),
    (
        "/v1/custom-fields",
        "POST",
        {"entity_type": "deal", "name": "x", "field_type": "select", "options": [f"o{i}" for i in range(101)]},
    ),
    ("/v1/activities", "POST", {"type": "note", "metadata": {f"k{i}": "v" * 10 for i in range(2000)}}),
    ("/v1/contacts/{pk}/custom-fields", "PUT", {"fields": {f"slug{i}": "x" for i in range(5000)}}),
]


def test_huge_arrays_and_objects_are_400_and_change_nothing(world):
    before = snapshot()
    for template, method, body in HUGE_ARRAYS:
        assert_clean_4xx(send(world, method, template, body))
    assert snapshot() == before


# -- unicode edge cases -------------------------------------------------------------------------

UNICODE = {
    "emoji": "Zoë 😀👩‍👩‍👧 ok",
    "rtl": "שלום مرحبا ‏mixed‎",
    "combining": "e\u0301\u0302\u0303 Å̈",
    "zero-width": "a\u200bb\u200cc\u200dd\ufeffe",
    "4-byte": "\U0001d518\U0001d52b\U0001d526 \U00010348 \U0001f004 \U0002070e",
    "separators": "line\u2028sep\u2029para \ufffd end",
}
# Text fields that keep what they are sent (others normalize: email, domain, currency, slug).
VERBATIM = {"email", "domain", "currency", "slug", "password", "scopes"}


def test_unicode_in_every_text_field_round_trips_exactly(world):
    problems, checked = [], 0
    for template, method, body, serializer_class in write_cases():
        if template == "/v1/signup":
            continue  # stores no free text a client reads back
        for name, field in text_fields(serializer_class).items():
            if name in VERBATIM:
                continue
            for number, (label, text) in enumerate(UNICODE.items()):
                checked += 1
                value = text[: field.max_length]
                unique = {"slug": f"probe_{name}_{number}"} if template == "/v1/custom-fields" else {}
                response = send(world, method, template, {**body, **unique, name: value})
                where = f"{method} {template} {name} {label}"
                if response.status_code not in (200, 201):
                    problems.append(f"{where}: {response.status_code} {response.content[:200]}")
                    continue
                data = response.json()["data"]
                stored = data.get("attributes", data)[name]
                location = urlparse(response["Location"]).path if method == "POST" else own_path(template, world)
                again = world.api.get(location).json()["data"]["attributes"][name]
                if stored != value or again != value:
                    problems.append(f"{where}: sent {value!r}, got {stored!r} then {again!r}")
    assert not problems, "\n".join(problems)
    assert checked > 150


def test_unicode_tags_and_custom_field_values_round_trip(world):
    for label, text in UNICODE.items():
        tag = text[:50]
        created = world.api.post("/v1/contacts", {"first_name": label, "tags": [tag], "custom_fields": {CF_SLUG: text}})
        assert created.status_code == 201, created.content
        attributes = created.json()["data"]["attributes"]
        assert attributes["tags"] == normalize_tags([tag]) and attributes["custom_fields"][CF_SLUG] == text
        if "\ufffd" in text:
            continue  # query strings refuse U+FFFD: Django turns invalid UTF-8 into it (nodestash.query)
        found = world.api.get("/v1/contacts", {f"cf.{CF_SLUG}": text, "tags": tag})
        assert [item["id"] for item in found.json()["data"]] == [created.json()["data"]["id"]], label


def test_nul_characters_in_text_fields_are_400(world):
    before = snapshot()
    for value, (template, method, field) in itertools.product(
        ("a\x00b", "\x00"),
        (
            ("/v1/contacts", "POST", "first_name"),
            ("/v1/companies/{pk}", "PATCH", "industry"),
            ("/v1/activities", "POST", "body"),
            ("/v1/deals/{pk}/custom-fields", "PUT", "fields"),
        ),
    ):
        body = {"fields": {CF_SLUG: value}} if field == "fields" else {field: value}
        if template == "/v1/activities":
            body["type"] = "note"
        assert_clean_4xx(send(world, method, template, body))
    assert snapshot() == before


# -- numbers out of range -----------------------------------------------------------------------

NUMBER_FIELDS = [
    ("/v1/deals", "POST", {"title": "x"}, "value", [1e20, -1, 0.001, "NaN", "Infinity", 1e308, "1e400", 10**30]),
    ("/v1/deals/{pk}", "PATCH", {}, "value", [-0.01, "12.345", "1" * 16]),
    ("/v1/pipelines/{pipeline_pk}/stages", "POST", {"name": "x"}, "position", [-1, 0.5, "NaN", 1e20, 10**30]),
    ("/v1/pipelines/{pipeline_pk}/stages/{pk}", "PATCH", {}, "position", [-1, 2.5, 10**30, 1e308]),
    ("/v1/custom-fields/{pk}", "PATCH", {}, "display_order", [-1, 1e20, 10**30, 0.001, "NaN"]),
    ("/v1/api-keys/{pk}/rotate", "POST", {}, "grace_period_seconds", [-1, 604_801, 1e20, 0.001, "NaN"]),
]


def test_numbers_out_of_range_are_400_and_change_nothing(world):
    before = snapshot()
    problems = []
    for template, method, body, field, values in NUMBER_FIELDS:
        for value in values:
            response = send(world, method, template, {**body, field: value})
            if response.status_code != 400 or error_code(response) != "VALIDATION_ERROR":
                problems.append(
                    f"{method} {template} {field}={value!r}: {response.status_code} {response.content[:200]}"
                )
    assert not problems, "\n".join(problems)
    assert snapshot() == before


def test_number_custom_field_values_out_of_range_are_400(world):
    created = world.api.post("/v1/custom-fields", {"entity_type": "deal", "name": "Score", "field_type": "number"})
    assert created.status_code == 201
    before = snapshot()
    path = f"/v1/deals/{world.ids['deal']}/custom-fields"
    for value in [1e20, 1e308, -1e308, "NaN", "Infinity", "1e400", 10**30, 0.0000001, "abc", [], {}, True]:
        response = world.api.put(path, {"fields": {"score": value}})
        assert_clean_4xx(response)
    assert snapshot() == before


# -- query strings: injection, duplicates, encodings ----------------------------------------------

INJECTIONS = [
    "' OR '1'='1",
    "'; DROP TABLE crm_contact; --",
    '" OR ""="',
    "1) OR (1=1",
    "%",
    "_",
    "%%%",
    "\\",
    "*",
    "email__icontains,-__all__",
    "x" * 5000,
]


def list_routes():
    for route in api_routes():
        if action_of(route, "GET") == "list":
            yield route


def filter_names(route) -> list[str]:
    filterset = getattr(route.view_class, "filterset_class", None)
    return sorted(filterset.base_filters) if filterset else []


def test_injection_strings_in_every_filter_and_sort_are_harmless(world):
    before = snapshot()
    problems, checked = [], 0
    for route in list_routes():
        path = own_path(route.template, world)
        for name in [*filter_names(route), "sort", "cursor", "limit", "include"]:
            for value in INJECTIONS:
                checked += 1
                response = world.api.get(path, {name: value})
                if response.status_code == 200:
                    rows = response.json()["data"]
                    # wildcards and quotes are literal: nothing in the workspace contains them
                    if rows and value in ("%", "_", "%%%", "*", "' OR '1'='1", "1) OR (1=1"):
                        problems.append(f"{path}?{name}={value!r} matched {len(rows)} rows")
                elif response.status_code != 400 or error_code(response) != "VALIDATION_ERROR":
                    problems.append(f"{path}?{name}={value[:40]!r}: {response.status_code} {response.content[:200]}")
    assert not problems, "\n".join(problems)
    assert checked > 500
    assert snapshot() == before


def test_injected_filter_names_and_lookups_are_400(world):
    """Django lookups, the workspace column and unknown names are never filters."""
    for params in (
        {"workspace": "ws_x"},
        {"workspace_id": "ws_x"},
        {"email__startswith": "m"},
        {"company__name": "x"},
        {"id__in": "a,b"},
        {"sort": "workspace"},
        {"sort": "company__name"},
        {"sort": "email;drop"},
        {"cf.code__icontains": "x"},
        {"cf.": "x"},
        {"cf.code.regex": ".*"},
        {"include": "workspace"},
        {"include": "contacts__workspace"},
    ):
        response = world.api.get("/v1/contacts", params)
        assert_clean_4xx(response)


def get_query(tenant, path: str, query: str):
    """A GET with the query string exactly as written (no re-encoding)."""
    return tenant.api.client.get(f"{path}?{query}", HTTP_AUTHORIZATION=f"Bearer {tenant.key}")


def test_duplicated_query_parameters_are_400(tenant):
    for query in (
        "limit=1&limit=2",
        "sort=email&sort=-email",
        "email=a&email=b",
        "cursor=x&cursor=y",
        "include=company&include=company",
        "cf.code=a&cf.code=b",
    ):
        body = assert_clean_4xx(get_query(tenant, "/v1/contacts", query))
        assert body["error"]["details"][0]["field"] == query.split("=")[0]
    assert_clean_4xx(get_query(tenant, "/v1/workspace", "x=1&x=2"))


def test_nul_and_invalid_utf8_in_query_strings_are_400(tenant):
    for query in ("email=%00", "email=a%00b", "%00=x", "email=%ff", "email=%c3%28", "sort=%ff", "%ff=1"):
        assert_clean_4xx(get_query(tenant, "/v1/contacts", query))


def test_odd_query_strings_are_never_a_500(tenant):
    for query in ("email=%", "email=%zz", "=x", "&&&", "email", "limit=", "limit=1e2", "limit=%2B5", "limit=٣"):
        response = get_query(tenant, "/v1/contacts", query)
        assert response.status_code in (200, 400), (query, response.content)
