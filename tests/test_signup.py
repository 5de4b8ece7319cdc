"""Signup (contract §4): account, workspace, first key; duplicates, weak passwords, the per-IP
limit, and session login for the browsable API (own workspace only, CSRF on writes)."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from rest_framework.test import APIClient

from apikeys.models import ApiKey
from tests.helpers import Api, counter_store_down, error_code, run_in_parallel
from workspaces.models import Membership, Workspace

SIGNUP = "/v1/signup"
PASSWORD = "correct-horse-battery-staple-42"
User = get_user_model()


def signup(client=None, ip="10.0.0.1", **body):
    body = {"email": "jane@acme.com", "password": PASSWORD, **body}
    return (client or APIClient()).post(SIGNUP, body, format="json", REMOTE_ADDR=ip)


def counts() -> tuple[int, int, int]:
    return User.objects.count(), Workspace.objects.count(), ApiKey.unscoped.count()


def test_signup_creates_account_workspace_and_a_working_key():
    response = signup(workspace_name="Acme Sales")
    assert response.status_code == 201, response.content
    assert response["Location"] == "/v1/workspace"
    data = response.json()["data"]
    assert data["type"] == "workspace"
    attributes = data["attributes"]
    assert (attributes["name"], attributes["plan"], attributes["environment"]) == ("Acme Sales", "free", "live")
    assert attributes["limits"] == {"daily": 1000, "burst": 5}
    key = attributes["api_key"]
    assert key["type"] == "api_key" and key["id"].startswith("key_")
    assert key["attributes"]["name"] == "Default key" and key["attributes"]["scopes"] == ["*"]
    plaintext = key["attributes"]["key"]
    assert plaintext.startswith("nds_live_")

    user = User.objects.get(username="jane@acme.com")
    assert user.email == "jane@acme.com" and user.check_password(PASSWORD)
    assert not user.is_staff and not user.is_superuser
    workspace = Workspace.objects.get(pk=data["id"])
    assert Membership.objects.get(user=user).workspace == workspace
    assert ApiKey.unscoped.get(workspace=workspace).key_hash != plaintext

    me = Api(plaintext).get("/v1/workspace")
    assert me.status_code == 200 and me.json()["data"]["id"] == workspace.pk


def test_the_key_is_not_shown_again():
    plaintext = signup().json()["data"]["attributes"]["api_key"]["attributes"]["key"]
    for path in ("/v1/workspace", "/v1/api-keys"):
        assert plaintext not in Api(plaintext).get(path).content.decode()


def test_email_is_normalized_and_workspace_name_defaults():
    response = signup(email="  Jane.Doe@Example.COM ")
    assert response.status_code == 201
    assert User.objects.filter(username="jane.doe@example.com").exists()
    assert response.json()["data"]["attributes"]["name"] == "jane.doe's workspace"


@pytest.mark.parametrize("email", ["jane@acme.com", "JANE@ACME.COM", " Jane@Acme.com"])
def test_duplicate_email_is_a_conflict_whatever_its_case(email):
    assert signup().status_code == 201
    before = counts()
    response = signup(email=email, ip="10.0.0.2")
    assert response.status_code == 409 and error_code(response) == "CONFLICT"
    assert counts() == before


@pytest.mark.parametrize(
    "password", ["short1", "password", "12345678901234", "jane@acme.com", "acme.com-jane"], ids=str
)
def test_weak_password_is_400_with_details_on_password(password):
    response = signup(password=password)
    assert response.status_code == 400 and error_code(response) == "VALIDATION_ERROR"
    details = response.json()["error"]["details"]
    assert details and {detail["field"] for detail in details} == {"password"}
    assert counts() == (0, 0, 0)


BAD_BODIES = {
    "no email": ({"email": None}, "email"),
    "bad email": ({"email": "not-an-email"}, "email"),
    "email too long": ({"email": f"{'j' * 140}@acme.com.example"}, "email"),
    "no password": ({"password": None}, "password"),
    "password not a string": ({"password": ["x"]}, "password"),
    "empty workspace name": ({"workspace_name": ""}, "workspace_name"),
    "long workspace name": ({"workspace_name": "w" * 201}, "workspace_name"),
    "unknown field": ({"plan": "enterprise"}, "plan"),
}


@pytest.mark.parametrize("body,field", BAD_BODIES.values(), ids=BAD_BODIES.keys())
def test_bad_signup_bodies_are_400(body, field):
    body = {"email": "jane@acme.com", "password": PASSWORD, **body}
    body = {name: value for name, value in body.items() if value is not None}
    response = APIClient().post(SIGNUP, body, format="json")
    assert response.status_code == 400, response.content
    assert field in [detail["field"] for detail in response.json()["error"]["details"]]
    assert counts() == (0, 0, 0)


def test_email_of_150_characters_is_accepted():
    email = f"{'j' * 141}@acme.com"
    assert len(email) == 150
    assert signup(email=email).status_code == 201


def test_signup_ignores_an_authorization_header(tenant):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer nds_live_" + "x" * 43)
    assert signup(client).status_code == 201


def test_per_ip_limit_answers_429_with_retry_after(settings):
    settings.SIGNUP_RATE = "2/m"
    assert signup(email="a@acme.com").status_code == 201
    assert signup(email="b@acme.com", password="weak").status_code == 400  # failed attempts count too
    before = counts()
    response = signup(email="c@acme.com")
    assert response.status_code == 429 and error_code(response) == "RATE_LIMITED"
    retry_after = int(response["Retry-After"])
    assert 1 <= retry_after <= 60
    assert response.json()["error"]["retry_after"] == retry_after
    assert counts() == before
    assert signup(email="d@acme.com", ip="10.9.9.9").status_code == 201  # another address


def test_default_rate_is_five_an_hour(settings):
    assert settings.SIGNUP_RATE == "5/h"
    statuses = [signup(email=f"u{i}@acme.com").status_code for i in range(6)]
    assert statuses == [201] * 5 + [429]


# -- session login for the browsable API ------------------------------------------------


def signed_up_session(email="jane@acme.com", enforce_csrf=False) -> tuple[APIClient, dict]:
    data = signup(email=email, ip=f"10.1.{len(email)}.1").json()["data"]
    client = APIClient(enforce_csrf_checks=enforce_csrf)
    assert client.login(username=email, password=PASSWORD)
    return client, data


def test_session_sees_only_its_own_workspace(other_tenant):
    client, data = signed_up_session()
    other, other_data = signed_up_session("bob@globex.com")
    response = client.get("/v1/workspace")
    assert response.status_code == 200 and response.json()["data"]["id"] == data["id"]
    keys = client.get("/v1/api-keys").json()["data"]
    assert [item["id"] for item in keys] == [data["attributes"]["api_key"]["id"]]
    foreign_key = other_data["attributes"]["api_key"]["id"]
    assert client.get(f"/v1/api-keys/{foreign_key}").status_code == 404
    assert other.get("/v1/workspace").json()["data"]["id"] == other_data["id"]


def test_session_browsing_renders_html_for_a_browser():
    client, data = signed_up_session()
    response = client.get("/v1/workspace", HTTP_ACCEPT="text/html")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert data["id"] in response.content.decode()


def test_session_writes_need_the_csrf_token():
    client, data = signed_up_session(enforce_csrf=True)
    refused = client.patch("/v1/workspace", {"name": "Renamed"}, format="json")
    assert refused.status_code == 403 and error_code(refused) == "FORBIDDEN"
    assert "CSRF" in refused.json()["error"]["message"]
    assert Workspace.objects.get(pk=data["id"]).name != "Renamed"
    client.get("/api-auth/login/")  # sets the csrftoken cookie
    token = client.cookies["csrftoken"].value
    accepted = client.patch("/v1/workspace", {"name": "Renamed"}, format="json", HTTP_X_CSRFTOKEN=token)
    assert accepted.status_code == 200
    assert Workspace.objects.get(pk=data["id"]).name == "Renamed"


def test_a_session_without_a_workspace_gets_nothing():
    User.objects.create_user("ops", "ops@example.com", PASSWORD, is_staff=True)
    client = APIClient()
    client.login(username="ops", password=PASSWORD)
    response = client.get("/v1/workspace")
    assert response.status_code == 401 and error_code(response) == "MISSING_AUTH"


def test_a_suspended_workspace_session_is_refused():
    client, data = signed_up_session()
    Workspace.objects.filter(pk=data["id"]).update(is_suspended=True)
    response = client.get("/v1/workspace")
    assert response.status_code == 403 and error_code(response) == "WORKSPACE_SUSPENDED"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_signups_with_one_email_create_one_account():
    responses = run_in_parallel(*[lambda ip=ip: signup(ip=ip) for ip in ["10.2.0.1", "10.2.0.2"]])
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [201, 409]
    assert counts() == (1, 1, 1)


def test_signup_is_served_when_the_counter_store_is_down(caplog):
    """Like the plan limits (contract §6): an unreachable counter store is logged, not a 500."""
    with counter_store_down():
        response = signup()
    assert response.status_code == 201, response.content
    assert counts() == (1, 1, 1)
    assert "signup limit" in caplog.text


def test_login_through_the_browsable_api_login_page():
    data = signup().json()["data"]
    browser = Client()  # a form post, as the login page sends it
    assert browser.get("/api-auth/login/").status_code == 200
    response = browser.post("/api-auth/login/", {"username": "jane@acme.com", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/v1/workspace"
    assert browser.get("/v1/workspace", HTTP_ACCEPT="application/json").json()["data"]["id"] == data["id"]
    wrong = Client().post("/api-auth/login/", {"username": "jane@acme.com", "password": "not-it"})
    assert wrong.status_code == 200  # the form again, not logged in
