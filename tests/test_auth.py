"""Authentication edge cases (contract §2, §3): Bearer only, MISSING_AUTH vs INVALID_API_KEY,
keys never taken from the query string or body, suspended workspaces, test-environment keys."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apikeys.models import ApiKey
from tests.helpers import Api, error_code, make_tenant
from workspaces.models import Workspace

PATH = "/v1/workspace"


def get_with_header(value: str):
    return Api().get(PATH, headers={"HTTP_AUTHORIZATION": value})


def assert_401(response, code: str):
    assert response.status_code == 401
    assert error_code(response) == code
    assert response["WWW-Authenticate"] == "Bearer"
    assert response.json()["meta"]["request_id"] == response["X-Request-Id"]


def test_no_header_is_missing_auth(anon):
    response = anon.get(PATH)
    assert_401(response, "MISSING_AUTH")
    assert "Bearer" in response.json()["error"]["message"]


@pytest.mark.parametrize("method", ["get", "post", "patch", "delete"])
def test_missing_auth_comes_before_not_found_and_validation(anon, method):
    response = getattr(anon, method)("/v1/api-keys/key_aaaaaaaaaaaaaaaaaaaaa")
    assert_401(response, "MISSING_AUTH")


def flip_last(key: str) -> str:
    return key[:-1] + ("A" if key[-1] != "A" else "B")


WRONG_HEADERS = {
    "basic scheme": lambda key: f"Basic {key}",
    "token scheme": lambda key: f"Token {key}",
    "no scheme": lambda key: key,
    "bearer alone": lambda key: "Bearer",
    "bearer and spaces": lambda key: "Bearer    ",
    "empty header": lambda key: "",
    "other format": lambda key: "Bearer sk_live_0123456789abcdefghijklmnopqrstuvwxyz",
    "too short": lambda key: "Bearer nds_live_abc",
    "right prefix wrong secret": lambda key: f"Bearer {flip_last(key)}",
    "other environment prefix": lambda key: f"Bearer {key.replace('nds_live_', 'nds_test_')}",
    "two keys": lambda key: f"Bearer {key} {key}",
    "nul inside": lambda key: f"Bearer {key}\x00",
    "very long": lambda key: f"Bearer nds_live_{'a' * 5000}",
    "non-ascii": lambda key: f"Bearer nds_live_{'é' * 40}",
}


@pytest.mark.parametrize("case", WRONG_HEADERS)
def test_wrong_credentials_are_invalid_api_key(tenant, case):
    response = get_with_header(WRONG_HEADERS[case](tenant.key))
    assert_401(response, "INVALID_API_KEY")
    assert tenant.key not in response.content.decode()


def test_scheme_is_case_insensitive(tenant):
    assert get_with_header(f"bearer {tenant.key}").status_code == 200
    assert get_with_header(f"BEARER {tenant.key}").status_code == 200


def test_unknown_revoked_and_expired_keys_are_indistinguishable(tenant):
    revoked = tenant.api.post("/v1/api-keys", {"name": "r", "scopes": ["*"]}).json()["data"]["attributes"]
    expired = tenant.api.post("/v1/api-keys", {"name": "e", "scopes": ["*"]}).json()["data"]["attributes"]
    tenant.api.delete(f"/v1/api-keys/{revoked['id']}")
    ApiKey.unscoped.filter(pk=expired["id"]).update(expires_at=timezone.now() - timedelta(seconds=1))
    unknown = "nds_live_" + "Z" * 43
    bodies = [get_with_header(f"Bearer {key}").json()["error"] for key in (revoked["key"], expired["key"], unknown)]
    assert bodies[0] == bodies[1] == bodies[2]
    assert bodies[0]["code"] == "INVALID_API_KEY"


@pytest.mark.parametrize("name", ["api_key", "key", "access_token", "token", "Authorization"])
def test_key_in_the_query_string_is_never_accepted(tenant, anon, name):
    response = anon.get(PATH, {name: tenant.key})
    assert_401(response, "MISSING_AUTH")


@pytest.mark.parametrize("name", ["api_key", "key", "access_token", "Authorization"])
def test_key_in_the_body_is_never_accepted(tenant, anon, name):
    response = anon.post("/v1/api-keys", {name: tenant.key, "name": "x", "scopes": ["*"]})
    assert_401(response, "MISSING_AUTH")
    assert ApiKey.unscoped.filter(workspace=tenant.workspace).count() == 1


def test_key_in_another_header_is_not_accepted(tenant, anon):
    response = anon.get(PATH, headers={"HTTP_X_API_KEY": tenant.key})
    assert_401(response, "MISSING_AUTH")


def test_suspended_workspace_is_refused_and_others_are_not(tenant, other_tenant):
    Workspace.objects.filter(pk=tenant.workspace.pk).update(is_suspended=True)
    response = tenant.api.get(PATH)
    assert response.status_code == 403 and error_code(response) == "WORKSPACE_SUSPENDED"
    assert response.json()["meta"]["request_id"] == response["X-Request-Id"]
    write = tenant.api.post("/v1/api-keys", {"name": "sneaky", "scopes": ["*"]})
    assert write.status_code == 403 and error_code(write) == "WORKSPACE_SUSPENDED"
    assert ApiKey.unscoped.filter(workspace=tenant.workspace).count() == 1
    assert other_tenant.api.get(PATH).status_code == 200
    Workspace.objects.filter(pk=tenant.workspace.pk).update(is_suspended=False)
    assert tenant.api.get(PATH).status_code == 200


def test_suspension_is_checked_after_the_key(tenant):
    Workspace.objects.filter(pk=tenant.workspace.pk).update(is_suspended=True)
    response = get_with_header("Bearer nds_live_" + "Q" * 43)
    assert_401(response, "INVALID_API_KEY")


def test_test_environment_workspaces_get_nds_test_keys():
    sandbox = make_tenant("Sandbox", environment="test")
    assert sandbox.key.startswith("nds_test_") and len(sandbox.key) >= len("nds_test_") + 32
    assert sandbox.api.get(PATH).json()["data"]["attributes"]["environment"] == "test"
    created = sandbox.api.post("/v1/api-keys", {"name": "ci", "scopes": ["*"]}).json()["data"]["attributes"]
    assert created["key"].startswith("nds_test_") and created["key_hint"].startswith("nds_test_…")
    assert Api(created["key"]).get(PATH).status_code == 200


def test_live_workspaces_get_nds_live_keys(tenant):
    assert tenant.key.startswith("nds_live_")
    created = tenant.api.post("/v1/api-keys", {"name": "ci", "scopes": ["*"]}).json()["data"]["attributes"]
    assert created["key"].startswith("nds_live_")
