"""Idempotent writes (contract §7) over HTTP, checked in the database."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import include, path
from django.utils import timezone
from rest_framework.response import Response
from rest_framework.test import APIClient

from apikeys.models import ApiKey
from crm.models import Contact
from tests.helpers import Api, error_code, make_tenant, run_in_parallel
from tests.routes import PUBLIC_API_PATHS, api_routes
from workspaces.idempotency.models import IdempotencyKey
from workspaces.idempotency.views import IdempotencyMixin
from workspaces.models import Workspace
from workspaces.ratelimit.clock import ManualClock, use_clock
from workspaces.views import WorkspaceAPIView

JANE = {"email": "jane@acme.com", "first_name": "Jane"}


def key(value: str) -> dict:
    return {"HTTP_IDEMPOTENCY_KEY": value}


def contacts(tenant) -> list:
    return list(Contact.unscoped.filter(workspace=tenant.workspace))


def entries(tenant) -> list:
    return list(IdempotencyKey.unscoped.filter(workspace=tenant.workspace))


def test_replay_returns_the_stored_response_and_changes_nothing(tenant):
    first = tenant.api.post("/v1/contacts", JANE, headers=key("create-jane"))
    again = tenant.api.post("/v1/contacts", JANE, headers=key("create-jane"))
    assert first.status_code == again.status_code == 201
    assert not first.has_header("Idempotent-Replayed")
    assert again["Idempotent-Replayed"] == "true"
    assert again["Location"] == first["Location"]
    assert again.json()["data"] == first.json()["data"]
    assert again.json()["meta"]["request_id"] == again["X-Request-Id"] != first["X-Request-Id"]
    assert len(contacts(tenant)) == 1
    [entry] = entries(tenant)
    assert (entry.key, entry.response_status) == ("create-jane", 201)


@pytest.mark.parametrize(
    "path, body",
    [
        ("/v1/companies", {"name": "Acme", "domain": "acme.com"}),
        ("/v1/deals", {"title": "Big deal", "value": "1200.50", "currency": "usd"}),
        ("/v1/activities", {"type": "note", "subject": "Called", "metadata": {"n": 1}}),
        (
            "/v1/pipelines",
            {
                "name": "Partners",
                "stages": [
                    {"name": "Open", "type": "open"},
                    {"name": "Won", "type": "won"},
                    {"name": "Lost", "type": "lost"},
                ],
            },
        ),
        ("/v1/custom-fields", {"entity_type": "contact", "name": "Lead score", "field_type": "number"}),
    ],
)
def test_every_resource_replays_its_create(tenant, path, body):
    first = tenant.api.post(path, body, headers=key("create"))
    again = tenant.api.post(path, body, headers=key("create"))
    assert first.status_code == again.status_code == 201, first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert again.json()["data"] == first.json()["data"]
    listed_ids = [item["id"] for item in tenant.api.get(path, {"limit": 100}).json()["data"]]
    assert listed_ids.count(first.json()["data"]["id"]) == 1
    assert len(listed_ids) == len(set(listed_ids))


def test_put_of_custom_field_values_replays(tenant):
    tenant.api.post("/v1/custom-fields", {"entity_type": "contact", "name": "Lead score", "field_type": "number"})
    contact = tenant.api.post("/v1/contacts", JANE).json()["data"]
    path = f"/v1/contacts/{contact['id']}/custom-fields"
    first = tenant.api.put(path, {"fields": {"lead_score": 7}}, headers=key("put"))
    tenant.api.put(path, {"fields": {"lead_score": 9}})
    again = tenant.api.put(path, {"fields": {"lead_score": 7}}, headers=key("put"))
    assert first.status_code == again.status_code == 200, first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert again.json()["data"] == first.json()["data"]
    assert tenant.api.get(path).json()["data"][0]["attributes"]["value"] == 9  # the replay changed nothing


def test_json_bodies_match_by_content_not_bytes(tenant):
    tenant.api.raw("POST", "/v1/contacts", b'{"email": "jane@acme.com", "first_name": "Jane"}', headers=key("k"))
    reordered = tenant.api.raw(
        "POST", "/v1/contacts", b'{"first_name":"Jane","email":"jane@acme.com"}', headers=key("k")
    )
    assert reordered["Idempotent-Replayed"] == "true"
    assert len(contacts(tenant)) == 1


@pytest.mark.parametrize(
    "method, path, body",
    [
        ("post", "/v1/contacts", {"email": "john@acme.com"}),  # another body
        ("post", "/v1/contacts?x=1", JANE),  # another query
        ("post", "/v1/api-keys", JANE),  # another path
    ],
)
def test_same_key_different_request_is_refused(tenant, method, path, body):
    tenant.api.post("/v1/contacts", JANE, headers=key("one-key"))
    response = getattr(tenant.api, method)(path, body, headers=key("one-key"))
    assert response.status_code == 409
    assert error_code(response) == "IDEMPOTENCY_KEY_REUSED"
    assert len(contacts(tenant)) == 1
    assert ApiKey.unscoped.filter(workspace=tenant.workspace).count() == 1


def test_same_key_on_another_method_is_refused(tenant):
    created = tenant.api.post("/v1/contacts", JANE, headers=key("k")).json()["data"]
    response = tenant.api.patch(f"/v1/contacts/{created['id']}", {"first_name": "J"}, headers=key("k"))
    assert error_code(response) == "IDEMPOTENCY_KEY_REUSED"
    assert contacts(tenant)[0].first_name == "Jane"


def test_a_request_still_running_holds_the_key(tenant):
    tenant.api.post("/v1/contacts", JANE, headers=key("busy"))
    IdempotencyKey.unscoped.filter(workspace=tenant.workspace).update(response_status=None)  # as while running
    response = tenant.api.post("/v1/contacts", JANE, headers=key("busy"))
    assert response.status_code == 409
    assert error_code(response) == "IDEMPOTENCY_KEY_IN_USE"
    assert len(contacts(tenant)) == 1


def test_a_claim_abandoned_by_a_dead_request_is_taken_over(tenant):
    body = {"first_name": "Retry"}
    # The first attempt "died" after claiming the key, before its view wrote anything:
    tenant.api.post("/v1/contacts", body, headers=key("orphan"))
    Contact.unscoped.filter(workspace=tenant.workspace).delete()
    long_ago = timezone.now() - timedelta(minutes=10)
    IdempotencyKey.unscoped.filter(workspace=tenant.workspace).update(response_status=None, claimed_at=long_ago)
    retry = tenant.api.post("/v1/contacts", body, headers=key("orphan"))
    assert retry.status_code == 201
    assert not retry.has_header("Idempotent-Replayed")
    assert len(contacts(tenant)) == 1
    assert entries(tenant)[0].response_status == 201


def test_client_errors_are_stored_and_replayed(tenant):
    invalid = tenant.api.post("/v1/contacts", {"email": "not-an-email"}, headers=key("bad"))
    replay = tenant.api.post("/v1/contacts", {"email": "not-an-email"}, headers=key("bad"))
    assert invalid.status_code == replay.status_code == 400
    assert replay["Idempotent-Replayed"] == "true"
    assert replay.json()["error"] == invalid.json()["error"]

    missing = tenant.api.patch("/v1/contacts/ct_000000000000000000000", {"first_name": "X"}, headers=key("gone"))
    assert missing.status_code == 404
    assert (
        tenant.api.patch("/v1/contacts/ct_000000000000000000000", {"first_name": "X"}, headers=key("gone"))[
            "Idempotent-Replayed"
        ]
        == "true"
    )


def test_the_same_key_in_two_workspaces_is_two_keys(tenant, other_tenant):
    mine = tenant.api.post("/v1/contacts", JANE, headers=key("shared-name"))
    theirs = other_tenant.api.post("/v1/contacts", JANE, headers=key("shared-name"))
    assert mine.status_code == theirs.status_code == 201
    assert not theirs.has_header("Idempotent-Replayed")
    assert mine.json()["data"]["id"] != theirs.json()["data"]["id"]
    assert len(contacts(tenant)) == len(contacts(other_tenant)) == 1
    assert len(entries(tenant)) == len(entries(other_tenant)) == 1


def test_expired_keys_are_ignored_and_purged(tenant, other_tenant):
    tenant.api.post("/v1/contacts", JANE, headers=key("old"))
    other_tenant.api.post("/v1/contacts", JANE, headers=key("fresh"))
    IdempotencyKey.unscoped.filter(workspace=tenant.workspace).update(expires_at=timezone.now() - timedelta(seconds=1))
    reused = tenant.api.post("/v1/contacts", {"email": "john@acme.com"}, headers=key("old"))
    assert reused.status_code == 201  # the expired entry no longer binds the key
    assert not reused.has_header("Idempotent-Replayed")
    assert len(contacts(tenant)) == 2

    IdempotencyKey.unscoped.filter(workspace=tenant.workspace).update(expires_at=timezone.now() - timedelta(hours=1))
    out = io.StringIO()
    call_command("purge_idempotency_keys", stdout=out)
    assert out.getvalue().strip() == "Deleted 1 expired idempotency key(s)."
    assert entries(tenant) == []
    assert [entry.key for entry in entries(other_tenant)] == ["fresh"]


def test_keys_live_24_hours(tenant):
    before = timezone.now()
    tenant.api.post("/v1/contacts", JANE, headers=key("ttl"))
    entry = entries(tenant)[0]
    assert before + timedelta(hours=24) <= entry.expires_at <= timezone.now() + timedelta(hours=24)


@pytest.mark.parametrize("value", ["", "x" * 256, "tab\there", "caf\u00e9"])
def test_a_malformed_key_is_a_400_and_changes_nothing(tenant, value):
    response = tenant.api.post("/v1/contacts", JANE, headers=key(value))
    assert response.status_code == 400
    assert response.json()["error"]["details"][0]["field"] == "Idempotency-Key"
    assert contacts(tenant) == [] and entries(tenant) == []


def test_the_longest_printable_key_is_accepted(tenant):
    value = "".join(chr(32 + i % 95) for i in range(255))
    assert tenant.api.post("/v1/contacts", JANE, headers=key(value)).status_code == 201
    assert entries(tenant)[0].key == value


def test_reads_and_deletes_ignore_the_header(tenant):
    created = tenant.api.post("/v1/contacts", JANE).json()["data"]
    assert tenant.api.get("/v1/contacts", headers=key("\t")).status_code == 200
    assert tenant.api.delete(f"/v1/contacts/{created['id']}", headers=key("k")).status_code == 204
    assert entries(tenant) == []


def test_workspace_settings_replay_does_not_undo_a_later_change(tenant):
    first = tenant.api.patch("/v1/workspace", {"name": "First"}, headers=key("rename"))
    tenant.api.patch("/v1/workspace", {"name": "Second"})
    replay = tenant.api.patch("/v1/workspace", {"name": "First"}, headers=key("rename"))
    assert replay["Idempotent-Replayed"] == "true"
    assert replay.json()["data"]["attributes"]["name"] == first.json()["data"]["attributes"]["name"] == "First"
    assert Workspace.objects.get(pk=tenant.workspace.pk).name == "Second"


def test_a_replayed_key_creation_never_shows_the_secret_again(tenant):
    created = tenant.api.post("/v1/api-keys", {"name": "ci", "scopes": ["*"]}, headers=key("new-key"))
    plaintext = created.json()["data"]["attributes"]["key"]
    assert plaintext.startswith("nds_live_")
    replay = tenant.api.post("/v1/api-keys", {"name": "ci", "scopes": ["*"]}, headers=key("new-key"))
    assert replay["Idempotent-Replayed"] == "true"
    assert replay.json()["data"]["id"] == created.json()["data"]["id"]
    assert replay.json()["data"]["attributes"]["key"] is None
    assert replay.json()["data"]["attributes"]["key_hint"] == created.json()["data"]["attributes"]["key_hint"]
    assert ApiKey.unscoped.filter(workspace=tenant.workspace, name="ci").count() == 1
    assert plaintext not in str(IdempotencyKey.unscoped.values_list("response_body", flat=True).get())


def test_replays_count_against_the_rate_limit():
    free = make_tenant("Free", plan="free")
    with use_clock(ManualClock(timezone.now())) as clock:
        responses = [free.api.post("/v1/contacts", JANE, headers=key("k")) for _ in range(3)]
        assert [r["X-RateLimit-Remaining"] for r in responses] == ["999", "998", "997"]
        assert [r.status_code for r in responses] == [201, 201, 201]
        responses = [free.api.post("/v1/contacts", JANE, headers=key("k")) for _ in range(3)]
        assert [r.status_code for r in responses] == [201, 201, 429]

        # A 429 never claims a key: after the window, a new key's request runs.
        assert free.api.post("/v1/contacts", {"first_name": "Later"}, headers=key("later")).status_code == 429
        assert not IdempotencyKey.unscoped.filter(workspace=free.workspace, key="later").exists()
        clock.advance(1)
        assert free.api.post("/v1/contacts", {"first_name": "Later"}, headers=key("later")).status_code == 201


def test_unauthorized_and_forbidden_requests_touch_no_key(tenant):
    assert Api().post("/v1/contacts", JANE, headers=key("k")).status_code == 401
    assert tenant.client_with_scopes("contacts:read").post("/v1/contacts", JANE, headers=key("k")).status_code == 403
    assert IdempotencyKey.unscoped.count() == 0
    assert tenant.api.post("/v1/contacts", JANE, headers=key("k")).status_code == 201


# -- server errors: a test-only view that fails once, then succeeds ------------------------


class FlakyView(WorkspaceAPIView):
    attempts = 0

    def post(self, request):
        FlakyView.attempts += 1
        if FlakyView.attempts == 1:
            raise RuntimeError("the first attempt fails")
        return Response({"attempt": FlakyView.attempts}, status=201, headers={"Location": "/v1/flaky/1"})


urlpatterns = [path("v1/flaky", FlakyView.as_view()), path("", include("nodestash.urls"))]


@pytest.mark.urls("tests.test_idempotency")
def test_server_errors_are_not_stored_so_a_retry_runs(tenant):
    FlakyView.attempts = 0
    failed = tenant.api.post("/v1/flaky", {}, headers=key("flaky"))
    assert failed.status_code == 500
    assert entries(tenant) == []
    retried = tenant.api.post("/v1/flaky", {}, headers=key("flaky"))
    assert (retried.status_code, retried.json()["data"]) == (201, {"attempt": 2})
    replayed = tenant.api.post("/v1/flaky", {}, headers=key("flaky"))
    assert replayed["Idempotent-Replayed"] == "true"
    assert (replayed.json()["data"], replayed["Location"]) == ({"attempt": 2}, "/v1/flaky/1")
    assert FlakyView.attempts == 2


# -- concurrency ----------------------------------------------------------------------------


@pytest.mark.postgres
def test_parallel_duplicates_create_exactly_one_record(transactional_db):
    tenant = make_tenant("Racing")
    threads_count = 8
    results = run_in_parallel(
        *[lambda: Api(tenant.key).post("/v1/contacts", JANE, headers=key("race"))] * threads_count
    )
    assert len(results) == threads_count
    created = [r for r in results if r.status_code == 201]
    refused = [r for r in results if r.status_code == 409]
    assert len(created) + len(refused) == threads_count
    assert {error_code(r) for r in refused} <= {"IDEMPOTENCY_KEY_IN_USE"}
    assert len({r.json()["data"]["id"] for r in created}) == 1
    assert sum(not r.has_header("Idempotent-Replayed") for r in created) == 1
    assert len(contacts(tenant)) == 1
    assert len(entries(tenant)) == 1


# -- coverage -------------------------------------------------------------------------------


def test_every_api_write_takes_an_idempotency_key():
    writes = [
        route
        for route in api_routes()
        if route.template not in PUBLIC_API_PATHS and {"POST", "PATCH", "PUT"} & set(route.methods)
    ]
    assert writes
    for route in writes:
        assert issubclass(route.view_class, IdempotencyMixin), f"{route} ignores Idempotency-Key"


def test_a_form_post_through_the_browsable_api_is_refused_before_any_claim(anon):
    """A session request's CSRF check parses the body (DRF's parsers: JSON only), so a form post
    is a 415 before the key is read; the key stays free."""
    anon.post("/v1/signup", {"email": "browser@example.com", "password": "a-long-enough-passphrase-42"})
    browser = APIClient(enforce_csrf_checks=True)
    browser.login(username="browser@example.com", password="a-long-enough-passphrase-42")
    token = browser.get("/v1/workspace", HTTP_ACCEPT="text/html").cookies["csrftoken"].value
    response = browser.post(
        "/v1/contacts",
        {"first_name": "Form", "csrfmiddlewaretoken": token},
        format="multipart",
        HTTP_IDEMPOTENCY_KEY="k",
    )
    assert response.status_code == 415
    assert error_code(response) == "UNSUPPORTED_MEDIA_TYPE"
    assert IdempotencyKey.unscoped.count() == 0


def test_a_session_json_post_is_fingerprinted_and_replayed(anon):
    """The CSRF check of a session request parses the body before the key is read."""
    anon.post("/v1/signup", {"email": "browser@example.com", "password": "a-long-enough-passphrase-42"})
    browser = APIClient(enforce_csrf_checks=True)
    browser.login(username="browser@example.com", password="a-long-enough-passphrase-42")
    token = browser.get("/v1/workspace", HTTP_ACCEPT="text/html").cookies["csrftoken"].value
    headers = {"HTTP_IDEMPOTENCY_KEY": "session", "HTTP_X_CSRFTOKEN": token}
    first = browser.post("/v1/contacts", {"first_name": "Jane", "last_name": "Doe"}, format="json", **headers)
    raw = b'{"last_name":"Doe",  "first_name":"Jane"}'
    again = browser.post("/v1/contacts", raw, content_type="application/json", **headers)
    other = browser.post("/v1/contacts", {"first_name": "John"}, format="json", **headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again["Idempotent-Replayed"] == "true"
    assert error_code(other) == "IDEMPOTENCY_KEY_REUSED"
    assert Contact.unscoped.count() == 1
