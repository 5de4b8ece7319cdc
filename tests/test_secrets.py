"""API key secrets (contract §3): the plaintext is returned once and stored nowhere. Not in any
column of any table, not in logs, not in error bodies, not in the admin; and a key is only
accepted from the `Authorization` header.
"""

import hashlib
import logging

import pytest
from django.db import connection

from apikeys.models import ApiKey
from crm.models import Contact
from tests.helpers import Api, admin_path, error_code
from tests.isolation_fixtures import unthrottled


@pytest.fixture(autouse=True)
def _unthrottled():
    with unthrottled():
        yield


SIGNUP_BODY = {"email": "owner@example.com", "password": "correct-horse-battery-staple-42"}


def fragments(plaintext: str) -> list[str]:
    """The key and its secret part, and a 16-character slice of it (a truncated leak counts)."""
    secret = plaintext.split("_", 2)[2]
    return [plaintext, secret, secret[10:26]]


def database_text() -> str:
    """Every value of every column of every table, as text (a raw scan: nothing is skipped)."""
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            chunks.extend(repr(row) for row in cursor.fetchall())
    return "\n".join(chunks)


@pytest.fixture
def issued(tenant, settings):
    """Plaintexts issued every way there is: signup, create (with an idempotency key), rotate."""
    settings.SIGNUP_RATE = "100/h"
    keys = [tenant.key]
    signup = Api().post("/v1/signup", SIGNUP_BODY)
    assert signup.status_code == 201, signup.content
    keys.append(signup.json()["data"]["attributes"]["api_key"]["attributes"]["key"])
    created = tenant.api.post(
        "/v1/api-keys", {"name": "CI", "scopes": ["contacts:read"]}, headers={"HTTP_IDEMPOTENCY_KEY": "create-1"}
    )
    assert created.status_code == 201, created.content
    keys.append(created.json()["data"]["attributes"]["key"])
    rotated = tenant.api.post(f"/v1/api-keys/{created.json()['data']['id']}/rotate", {"grace_period_seconds": 0})
    assert rotated.status_code == 201, rotated.content
    keys.append(rotated.json()["data"]["attributes"]["key"])
    return keys


def test_no_table_holds_a_plaintext_key(issued):
    text = database_text()
    assert "api" in text.lower()  # the scan did read the tables
    for plaintext in issued:
        for fragment in fragments(plaintext):
            assert fragment not in text
        assert hashlib.sha256(plaintext.encode()).hexdigest() in text  # only the hash is stored


def test_an_idempotent_replay_of_a_key_creation_does_not_show_the_key_again(tenant, issued):
    replay = tenant.api.post(
        "/v1/api-keys", {"name": "CI", "scopes": ["contacts:read"]}, headers={"HTTP_IDEMPOTENCY_KEY": "create-1"}
    )
    assert replay.status_code == 201
    assert issued[2] not in replay.content.decode()
    assert replay.json()["data"]["attributes"]["key"] is None
    # and the schema says so (the deep fuzzing found the replay violating a non-null `key`)
    schemas = tenant.api.get("/v1/openapi.json").json()["components"]["schemas"]
    assert schemas["ApiKeyWithSecret"]["properties"]["attributes"]["properties"]["key"]["nullable"] is True


def test_logs_never_hold_a_key(tenant, caplog, settings):
    settings.SIGNUP_RATE = "100/h"
    for name in (None, "django.request", "nodestash", "apikeys", "workspaces"):
        caplog.set_level(logging.DEBUG, logger=name)
    seen = []
    created = tenant.api.post("/v1/api-keys", {"name": "logged", "scopes": ["*"]}).json()["data"]
    seen.append(created["attributes"]["key"])
    rotated = tenant.api.post(f"/v1/api-keys/{created['id']}/rotate", {"grace_period_seconds": 0}).json()
    seen.append(rotated["data"]["attributes"]["key"])
    tenant.api.delete(f"/v1/api-keys/{rotated['data']['id']}")
    for key in seen:  # now revoked or expired: authentication failures
        assert Api(key).get("/v1/contacts").status_code == 401
    wrong = tenant.key[:-4] + "AAAA"
    seen.append(wrong)
    assert Api(wrong).get("/v1/contacts").status_code == 401
    seen.append(Api().post("/v1/signup", SIGNUP_BODY).json()["data"]["attributes"]["api_key"]["attributes"]["key"])
    seen.append(tenant.key)
    text = "\n".join(f"{record.getMessage()} {record.args!r} {record.__dict__}" for record in caplog.records)
    assert caplog.records  # something was logged (django.request logs every 4xx)
    for key in seen:
        for fragment in fragments(key):
            assert fragment not in text


@pytest.mark.parametrize(
    "header",
    [
        "Bearer {key}x",
        "Bearer {key}\x00",
        "Basic {key}",
        "Token {key}",
        "{key}",
        "Bearer  {key} extra",
        "Bearer nds_live_" + "A" * 200,
    ],
)
def test_error_bodies_never_echo_the_key(tenant, header):
    value = header.format(key=tenant.key[:-1] + ("B" if tenant.key[-1] != "B" else "C"))
    response = Api().get("/v1/contacts", headers={"HTTP_AUTHORIZATION": value})
    assert response.status_code in (400, 401), response.content
    body = response.content.decode()
    secret = value.split("_", 2)[-1][:20]
    assert secret not in body and tenant.key not in body
    assert all(secret not in header_value for header_value in response.headers.values())


def test_the_admin_never_shows_a_key_or_its_hash(tenant, operator, issued):
    api_key = ApiKey.unscoped.filter(workspace=tenant.workspace).first()
    pages = [
        "/admin/apikeys/apikey/",
        admin_path("apikeys", "apikey", api_key.pk),
        "/admin/workspaces/workspace/",
        admin_path("workspaces", "workspace", tenant.workspace.pk),
        f"/admin/apikeys/apikey/?q={tenant.key}",
    ]
    hashes = list(ApiKey.unscoped.values_list("key_hash", flat=True))
    for page in pages:
        response = operator.get(page)
        assert response.status_code == 200, page
        html = response.content.decode()
        if page == "/admin/apikeys/apikey/":
            assert api_key.key_hint in html  # the hint stands in for the secret
        for plaintext in issued:
            assert all(fragment not in html.replace(tenant.key, "") for fragment in fragments(plaintext)[1:]), page
        assert not any(key_hash in html for key_hash in hashes), page


KEY_ELSEWHERE = [
    ("query api_key", lambda key: ("/v1/contacts", {"api_key": key}, {})),
    ("query key", lambda key: ("/v1/contacts", {"key": key}, {})),
    ("query access_token", lambda key: ("/v1/contacts", {"access_token": key}, {})),
    ("X-Api-Key header", lambda key: ("/v1/contacts", None, {"HTTP_X_API_KEY": key})),
    ("Api-Key header", lambda key: ("/v1/contacts", None, {"HTTP_API_KEY": key})),
    ("X-Authorization header", lambda key: ("/v1/contacts", None, {"HTTP_X_AUTHORIZATION": f"Bearer {key}"})),
    ("cookie", lambda key: ("/v1/contacts", None, {"HTTP_COOKIE": f"api_key={key}; sessionid={key}"})),
]


@pytest.mark.parametrize("label,where", KEY_ELSEWHERE, ids=[label for label, _ in KEY_ELSEWHERE])
def test_a_key_anywhere_but_the_authorization_header_is_missing_auth(tenant, label, where):
    path, params, headers = where(tenant.key)
    response = Api().get(path, params, headers=headers)
    assert response.status_code == 401 and error_code(response) == "MISSING_AUTH", response.content
    assert response["WWW-Authenticate"] == "Bearer"
    assert tenant.key not in response.content.decode()


@pytest.mark.parametrize("field", ["api_key", "key", "token", "authorization"])
def test_a_key_in_the_body_is_missing_auth_and_creates_nothing(tenant, field):
    before = ApiKey.unscoped.count(), Contact.unscoped.count()
    response = Api().post("/v1/contacts", {"first_name": "Mallory", field: tenant.key})
    assert response.status_code == 401 and error_code(response) == "MISSING_AUTH"
    assert tenant.key not in response.content.decode()
    assert (ApiKey.unscoped.count(), Contact.unscoped.count()) == before


def test_the_header_itself_works(tenant):
    assert Api(tenant.key).get("/v1/contacts").status_code == 200
