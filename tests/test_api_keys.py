"""API key lifecycle over HTTP (contract §3): create, list, get, rename, revoke, rotate, expiry,
validation limits, `last_used_at` bookkeeping and the one-query lookup."""

import hashlib
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apikeys.models import ApiKey
from tests.helpers import Api, error_code, run_in_parallel

KEYS = "/v1/api-keys"


def create_key(tenant, **body):
    body = {"name": "CI", "scopes": ["contacts:read"], **body}
    response = tenant.api.post(KEYS, body)
    assert response.status_code == 201, response.json()
    return response


def key_of(response) -> tuple[str, str]:
    attributes = response.json()["data"]["attributes"]
    return attributes["id"], attributes["key"]


# -- creation and secrecy ---------------------------------------------------------------


def test_create_returns_the_plaintext_once_with_the_documented_attributes(tenant):
    response = create_key(tenant, name="Zapier", scopes=["contacts:read", "deals:write"])
    data = response.json()["data"]
    attributes = data["attributes"]
    assert data["type"] == "api_key" and data["id"] == attributes["id"]
    assert attributes["id"].startswith("key_")
    assert set(attributes) == {
        "id", "name", "scopes", "key_hint", "expires_at", "last_used_at", "revoked_at", "created_at", "key",
    }  # fmt: skip
    assert attributes["key"].startswith("nds_live_") and len(attributes["key"]) >= len("nds_live_") + 32
    assert attributes["key_hint"] == f"nds_live_…{attributes['key'][-4:]}"
    assert attributes["scopes"] == ["contacts:read", "deals:write"]
    assert response["Location"] == f"{KEYS}/{attributes['id']}"


def test_list_and_get_never_show_the_secret_or_its_hash(tenant):
    key_id, plaintext = key_of(create_key(tenant))
    stored = ApiKey.unscoped.get(pk=key_id)
    for response in (tenant.api.get(KEYS), tenant.api.get(f"{KEYS}/{key_id}")):
        assert response.status_code == 200
        text = response.content.decode()
        assert plaintext not in text and plaintext[9:] not in text
        assert stored.key_hash not in text
        assert '"key"' not in text and "hash" not in text


def test_the_database_holds_only_a_hash_of_the_key(tenant):
    key_id, plaintext = key_of(create_key(tenant))
    stored = ApiKey.unscoped.get(pk=key_id)
    assert stored.key_hash != plaintext
    assert stored.key_hash == hashlib.sha256(plaintext.encode()).hexdigest()
    assert plaintext not in {str(value) for value in ApiKey.unscoped.filter(pk=key_id).values().first().values()}


def test_the_new_key_works_with_its_scopes(tenant):
    _, plaintext = key_of(create_key(tenant, scopes=["*"]))
    assert Api(plaintext).get("/v1/workspace").status_code == 200


def test_list_shows_only_this_workspaces_keys_newest_first(tenant, other_tenant):
    first, _ = key_of(create_key(tenant, name="first"))
    second, _ = key_of(create_key(tenant, name="second"))
    ids = [item["id"] for item in tenant.api.get(KEYS).json()["data"]]
    assert ids[:2] == [second, first]
    assert len(ids) == 3  # plus the workspace's default key
    foreign = set(ApiKey.unscoped.filter(workspace=other_tenant.workspace).values_list("pk", flat=True))
    assert not foreign & set(ids)


@pytest.mark.parametrize("method", ["get", "patch", "delete", "rotate"])
def test_another_workspaces_key_is_not_found(tenant, other_tenant, method):
    foreign = ApiKey.unscoped.get(workspace=other_tenant.workspace)
    path = f"{KEYS}/{foreign.pk}"
    if method == "get":
        response = tenant.api.get(path)
    elif method == "patch":
        response = tenant.api.patch(path, {"name": "mine now"})
    elif method == "delete":
        response = tenant.api.delete(path)
    else:
        response = tenant.api.post(f"{path}/rotate", {})
    assert response.status_code == 404 and error_code(response) == "NOT_FOUND"
    assert response.json()["error"]["message"] == "API key not found."
    foreign.refresh_from_db()
    assert foreign.name == "Default key" and foreign.revoked_at is None and foreign.expires_at is None


@pytest.mark.parametrize("bad_id", ["key_short", "ct_aaaaaaaaaaaaaaaaaaaaa", "key_aaaaaaaaaaaaaaaaaaaaa"])
def test_malformed_wrong_prefix_or_unknown_ids_are_not_found(tenant, bad_id):
    response = tenant.api.get(f"{KEYS}/{bad_id}")
    assert response.status_code == 404 and error_code(response) == "NOT_FOUND"


# -- revoke, expiry, rotation -----------------------------------------------------------


def test_revoke_refuses_the_key_at_once_and_keeps_the_row(tenant):
    key_id, plaintext = key_of(create_key(tenant))
    client = Api(plaintext)
    assert client.get("/v1/workspace").status_code == 403  # authenticated, lacks `*`
    response = tenant.api.delete(f"{KEYS}/{key_id}")
    assert response.status_code == 204 and response.content == b""
    refused = client.get("/v1/workspace")
    assert refused.status_code == 401 and error_code(refused) == "INVALID_API_KEY"
    attributes = tenant.api.get(f"{KEYS}/{key_id}").json()["data"]["attributes"]
    assert attributes["revoked_at"] is not None


def test_revoking_twice_is_harmless(tenant):
    key_id, _ = key_of(create_key(tenant))
    assert tenant.api.delete(f"{KEYS}/{key_id}").status_code == 204
    first = ApiKey.unscoped.get(pk=key_id).revoked_at
    assert tenant.api.delete(f"{KEYS}/{key_id}").status_code == 204
    assert ApiKey.unscoped.get(pk=key_id).revoked_at == first


def test_expired_key_is_refused(tenant):
    key_id, plaintext = key_of(create_key(tenant, scopes=["*"]))
    assert Api(plaintext).get("/v1/workspace").status_code == 200
    ApiKey.unscoped.filter(pk=key_id).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = Api(plaintext).get("/v1/workspace")
    assert response.status_code == 401 and error_code(response) == "INVALID_API_KEY"


def test_key_with_future_expiry_works_until_then(tenant):
    expires = (timezone.now() + timedelta(days=1)).isoformat()
    response = create_key(tenant, scopes=["*"], expires_at=expires)
    assert response.json()["data"]["attributes"]["expires_at"] is not None
    assert Api(key_of(response)[1]).get("/v1/workspace").status_code == 200


def rotate(tenant, key_id, body=None):
    return tenant.api.post(f"{KEYS}/{key_id}/rotate", body if body is not None else {})


def test_rotate_gives_a_new_key_and_both_work_during_the_grace_period(tenant):
    old_id, old_plaintext = key_of(create_key(tenant, name="Billing sync", scopes=["*"]))
    response = rotate(tenant, old_id, {"grace_period_seconds": 3600})
    assert response.status_code == 201
    new_id, new_plaintext = key_of(response)
    attributes = response.json()["data"]["attributes"]
    assert new_id != old_id and new_plaintext != old_plaintext
    assert (attributes["name"], attributes["scopes"]) == ("Billing sync", ["*"])
    assert response["Location"] == f"{KEYS}/{new_id}"
    old = ApiKey.unscoped.get(pk=old_id)
    assert timedelta(minutes=59) < old.expires_at - timezone.now() <= timedelta(hours=1)
    assert Api(old_plaintext).get("/v1/workspace").status_code == 200
    assert Api(new_plaintext).get("/v1/workspace").status_code == 200
    # time passes: the grace period ends
    ApiKey.unscoped.filter(pk=old_id).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert Api(old_plaintext).get("/v1/workspace").status_code == 401
    assert Api(new_plaintext).get("/v1/workspace").status_code == 200


def test_rotate_default_grace_is_one_day(tenant):
    old_id, _ = key_of(create_key(tenant))
    assert rotate(tenant, old_id).status_code == 201
    remaining = ApiKey.unscoped.get(pk=old_id).expires_at - timezone.now()
    assert timedelta(hours=23, minutes=59) < remaining <= timedelta(days=1)


def test_rotate_with_zero_grace_retires_the_old_key_at_once(tenant):
    old_id, old_plaintext = key_of(create_key(tenant, scopes=["*"]))
    response = rotate(tenant, old_id, {"grace_period_seconds": 0})
    assert response.status_code == 201
    assert Api(old_plaintext).get("/v1/workspace").status_code == 401
    assert Api(key_of(response)[1]).get("/v1/workspace").status_code == 200


def test_rotate_keeps_an_earlier_expiry_of_the_old_key(tenant):
    soon = timezone.now() + timedelta(minutes=5)
    old_id, _ = key_of(create_key(tenant, expires_at=soon.isoformat()))
    new = rotate(tenant, old_id, {"grace_period_seconds": 86_400}).json()["data"]["attributes"]
    old = ApiKey.unscoped.get(pk=old_id)
    assert abs(old.expires_at - soon) < timedelta(seconds=1)
    assert new["expires_at"] is not None


@pytest.mark.parametrize("grace", [-1, 604_801, "soon", None, 1.5])
def test_rotate_grace_period_out_of_range_is_a_400_and_changes_nothing(tenant, grace):
    old_id, _ = key_of(create_key(tenant))
    response = rotate(tenant, old_id, {"grace_period_seconds": grace})
    assert response.status_code == 400 and error_code(response) == "VALIDATION_ERROR"
    assert response.json()["error"]["details"][0]["field"] == "grace_period_seconds"
    assert ApiKey.unscoped.get(pk=old_id).expires_at is None
    assert ApiKey.unscoped.filter(workspace=tenant.workspace).count() == 2


def test_rotate_accepts_the_maximum_grace(tenant):
    old_id, _ = key_of(create_key(tenant))
    assert rotate(tenant, old_id, {"grace_period_seconds": 604_800}).status_code == 201


def test_rotating_a_revoked_key_is_a_conflict(tenant):
    key_id, _ = key_of(create_key(tenant))
    tenant.api.delete(f"{KEYS}/{key_id}")
    response = rotate(tenant, key_id)
    assert response.status_code == 409 and error_code(response) == "CONFLICT"
    assert ApiKey.unscoped.filter(workspace=tenant.workspace).count() == 2


# -- the last `*` key rule --------------------------------------------------------------


def default_key(tenant) -> ApiKey:
    return ApiKey.unscoped.get(workspace=tenant.workspace, name="Default key")


def test_revoking_the_last_full_access_key_is_a_conflict(tenant):
    create_key(tenant, scopes=["contacts:read"])  # not `*`: does not count
    response = tenant.api.delete(f"{KEYS}/{default_key(tenant).pk}")
    assert response.status_code == 409 and error_code(response) == "CONFLICT"
    assert "last active '*' key" in response.json()["error"]["message"]
    assert default_key(tenant).revoked_at is None
    assert tenant.api.get("/v1/workspace").status_code == 200


def test_an_expired_full_access_key_does_not_count_as_a_spare(tenant):
    spare_id, _ = key_of(create_key(tenant, scopes=["*"]))
    ApiKey.unscoped.filter(pk=spare_id).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert tenant.api.delete(f"{KEYS}/{default_key(tenant).pk}").status_code == 409


def test_a_full_access_key_can_be_revoked_when_another_remains(tenant):
    _, spare = key_of(create_key(tenant, scopes=["*"]))
    response = tenant.api.delete(f"{KEYS}/{default_key(tenant).pk}")
    assert response.status_code == 204
    assert tenant.api.get("/v1/workspace").status_code == 401  # the revoked key itself
    assert Api(spare).get("/v1/workspace").status_code == 200


# -- rename -----------------------------------------------------------------------------


def test_patch_renames_and_changes_nothing_else(tenant):
    key_id, plaintext = key_of(create_key(tenant, scopes=["contacts:read"]))
    response = tenant.api.patch(f"{KEYS}/{key_id}", {"name": "  Renamed  "})
    assert response.status_code == 200
    attributes = response.json()["data"]["attributes"]
    assert attributes["name"] == "Renamed" and "key" not in attributes
    assert attributes["scopes"] == ["contacts:read"]
    assert Api(plaintext).get("/v1/workspace").status_code == 403  # authenticated, lacks `*`


@pytest.mark.parametrize("field,value", [("scopes", ["*"]), ("expires_at", "2099-01-01T00:00:00Z")])
def test_patch_cannot_change_scopes_or_expiry(tenant, field, value):
    key_id, _ = key_of(create_key(tenant, scopes=["contacts:read"]))
    response = tenant.api.patch(f"{KEYS}/{key_id}", {field: value})
    assert response.status_code == 400 and error_code(response) == "VALIDATION_ERROR"
    assert response.json()["error"]["details"][0]["field"] == field
    stored = ApiKey.unscoped.get(pk=key_id)
    assert stored.scopes == ["contacts:read"] and stored.expires_at is None


@pytest.mark.parametrize("name", ["", "   ", "x" * 101, None, ["list"], {"a": 1}, True])
def test_patch_rejects_a_bad_name(tenant, name):
    key_id, _ = key_of(create_key(tenant, name="Keep"))
    response = tenant.api.patch(f"{KEYS}/{key_id}", {"name": name})
    assert response.status_code == 400 and response.json()["error"]["details"][0]["field"] == "name"
    assert ApiKey.unscoped.get(pk=key_id).name == "Keep"


def test_a_number_for_a_text_field_is_a_400(tenant):
    """The schema says string; a number is a wrong type like a list (issue 6, found by fuzzing)."""
    key_id, _ = key_of(create_key(tenant))
    response = tenant.api.patch(f"{KEYS}/{key_id}", {"name": 2026})
    assert response.status_code == 400 and response.json()["error"]["details"][0]["field"] == "name"
    assert ApiKey.unscoped.get(pk=key_id).name != "2026"


# -- validation limits ------------------------------------------------------------------

BAD_BODIES = {
    "empty name": ({"name": "", "scopes": ["*"]}, "name"),
    "blank name": ({"name": "  ", "scopes": ["*"]}, "name"),
    "long name": ({"name": "x" * 101, "scopes": ["*"]}, "name"),
    "missing name": ({"scopes": ["*"]}, "name"),
    "missing scopes": ({"name": "k"}, "scopes"),
    "empty scopes": ({"name": "k", "scopes": []}, "scopes"),
    "scopes not a list": ({"name": "k", "scopes": "*"}, "scopes"),
    "unknown scope": ({"name": "k", "scopes": ["contacts:delete"]}, "scopes.0"),
    "duplicated scope": ({"name": "k", "scopes": ["deals:read", "deals:read"]}, "scopes"),
    "star not alone": ({"name": "k", "scopes": ["*", "deals:read"]}, "scopes"),
    "past expiry": ({"name": "k", "scopes": ["*"], "expires_at": "2020-01-01T00:00:00Z"}, "expires_at"),
    "bad expiry": ({"name": "k", "scopes": ["*"], "expires_at": "tomorrow"}, "expires_at"),
    "unknown field": ({"name": "k", "scopes": ["*"], "key": "nds_live_mine"}, "key"),
}


@pytest.mark.parametrize("body,field", BAD_BODIES.values(), ids=BAD_BODIES.keys())
def test_create_validation_limits(tenant, body, field):
    response = tenant.api.post(KEYS, body)
    assert response.status_code == 400 and error_code(response) == "VALIDATION_ERROR"
    assert field in [detail["field"] for detail in response.json()["error"]["details"]]
    assert ApiKey.unscoped.filter(workspace=tenant.workspace).count() == 1


def test_create_accepts_the_limits(tenant):
    response = create_key(tenant, name="x" * 100, scopes=["custom_fields", "custom_fields:read"])
    assert response.json()["data"]["attributes"]["name"] == "x" * 100


# -- bookkeeping and lookup cost --------------------------------------------------------


def updates_to_keys(queries) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].startswith("UPDATE") and "apikeys_apikey" in q["sql"]]


def test_last_used_at_is_written_at_most_once_a_minute(tenant):
    key_id, plaintext = key_of(create_key(tenant, scopes=["*"]))
    client = Api(plaintext)
    with CaptureQueriesContext(connection) as first:
        client.get("/v1/workspace")
    assert len(updates_to_keys(first)) == 1
    used = ApiKey.unscoped.get(pk=key_id).last_used_at
    assert used is not None
    with CaptureQueriesContext(connection) as again:
        client.get("/v1/workspace")
        client.get("/v1/workspace")
    assert updates_to_keys(again) == []
    assert ApiKey.unscoped.get(pk=key_id).last_used_at == used
    ApiKey.unscoped.filter(pk=key_id).update(last_used_at=timezone.now() - timedelta(seconds=61))
    with CaptureQueriesContext(connection) as later:
        client.get("/v1/workspace")
    assert len(updates_to_keys(later)) == 1
    assert ApiKey.unscoped.get(pk=key_id).last_used_at > used


def test_last_used_at_shows_in_the_api(tenant):
    key_id, plaintext = key_of(create_key(tenant))
    assert tenant.api.get(f"{KEYS}/{key_id}").json()["data"]["attributes"]["last_used_at"] is None
    Api(plaintext).get("/v1/workspace")
    assert tenant.api.get(f"{KEYS}/{key_id}").json()["data"]["attributes"]["last_used_at"] is not None


def test_key_lookup_is_one_query_that_also_loads_the_workspace(tenant):
    tenant.api.get("/v1/workspace")  # last_used_at now fresh: no UPDATE below
    with CaptureQueriesContext(connection) as queries:
        assert tenant.api.get("/v1/workspace").status_code == 200
    lookups = [q["sql"] for q in queries if "apikeys_apikey" in q["sql"]]
    assert len(lookups) == 1
    assert "workspaces_workspace" in lookups[0] and "key_hash" in lookups[0]
    others = [q["sql"] for q in queries if q["sql"] not in lookups]
    assert not [sql for sql in others if "workspaces_workspace" in sql]


def test_a_refused_key_costs_no_write(tenant):
    key_id, plaintext = key_of(create_key(tenant))
    tenant.api.delete(f"{KEYS}/{key_id}")
    with CaptureQueriesContext(connection) as queries:
        assert Api(plaintext).get("/v1/workspace").status_code == 401
    assert updates_to_keys(queries) == []


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_revokes_cannot_remove_the_last_full_access_key(tenant):
    """Two workers each revoke one of the workspace's two `*` keys at the same moment: the
    workspace row lock lets exactly one through."""
    spare_id, _ = key_of(create_key(tenant, scopes=["*"]))
    ids = [default_key(tenant).pk, spare_id]
    responses = run_in_parallel(*[lambda key_id=key_id: tenant.api.delete(f"{KEYS}/{key_id}") for key_id in ids])
    statuses = sorted(response.status_code for response in responses)
    assert statuses in ([204, 401], [204, 409])  # 401: the other key was revoked before it authenticated
    assert ApiKey.unscoped.filter(workspace=tenant.workspace, revoked_at__isnull=True).count() == 1


def test_a_key_in_its_grace_period_can_be_rotated_again_and_its_expiry_only_moves_earlier(tenant):
    old_id, _ = key_of(create_key(tenant))
    assert rotate(tenant, old_id, {"grace_period_seconds": 600}).status_code == 201
    first_deadline = ApiKey.unscoped.get(pk=old_id).expires_at
    assert rotate(tenant, old_id, {"grace_period_seconds": 86_400}).status_code == 201
    assert ApiKey.unscoped.get(pk=old_id).expires_at == first_deadline
    assert rotate(tenant, old_id, {"grace_period_seconds": 0}).status_code == 201
    assert ApiKey.unscoped.get(pk=old_id).expires_at < first_deadline
    assert ApiKey.unscoped.filter(workspace=tenant.workspace, name="CI").count() == 4
