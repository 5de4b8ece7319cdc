"""`/v1/workspace` and `/v1/billing/*` (contract §4, §6): the caller's own workspace only."""

import pytest

from tests.helpers import error_code, make_tenant
from workspaces.models import Workspace

PLAN_TABLE = [  # contract §6, verbatim
    ("free", 1_000, 5),
    ("starter", 25_000, 25),
    ("pro", 250_000, 50),
    ("scale", 2_000_000, 200),
    ("enterprise", None, 500),
]


def test_get_workspace(tenant, other_tenant):
    response = tenant.api.get("/v1/workspace")
    assert response.status_code == 200
    data = response.json()["data"]
    assert (data["id"], data["type"]) == (tenant.workspace.pk, "workspace")
    attributes = data["attributes"]
    assert set(attributes) == {"id", "name", "plan", "environment", "created_at", "limits", "usage"}
    assert (attributes["name"], attributes["plan"], attributes["environment"]) == ("Acme", "enterprise", "live")
    assert attributes["limits"] == {"daily": None, "burst": 500}
    assert isinstance(attributes["usage"]["requests_today"], int)
    assert attributes["created_at"].endswith("Z")
    assert other_tenant.api.get("/v1/workspace").json()["data"]["id"] == other_tenant.workspace.pk


@pytest.mark.parametrize("plan,daily,burst", PLAN_TABLE)
def test_workspace_limits_follow_the_plan(plan, daily, burst):
    tenant = make_tenant(f"On {plan}", plan=plan)
    assert tenant.api.get("/v1/workspace").json()["data"]["attributes"]["limits"] == {"daily": daily, "burst": burst}


def test_patch_renames_the_workspace(tenant, other_tenant):
    response = tenant.api.patch("/v1/workspace", {"name": "  Acme Europe  "})
    assert response.status_code == 200
    assert response.json()["data"]["attributes"]["name"] == "Acme Europe"
    assert Workspace.objects.get(pk=tenant.workspace.pk).name == "Acme Europe"
    assert Workspace.objects.get(pk=other_tenant.workspace.pk).name == "Globex"


def test_patch_with_no_fields_changes_nothing(tenant):
    response = tenant.api.patch("/v1/workspace", {})
    assert response.status_code == 200 and response.json()["data"]["attributes"]["name"] == "Acme"


def test_plan_and_environment_are_read_only(tenant):
    response = tenant.api.patch("/v1/workspace", {"name": "Acme", "plan": "free", "environment": "test"})
    assert response.status_code == 200
    workspace = Workspace.objects.get(pk=tenant.workspace.pk)
    assert (workspace.plan, workspace.environment) == ("enterprise", "live")


@pytest.mark.parametrize("body,field", [
    ({"name": ""}, "name"),
    ({"name": "   "}, "name"),
    ({"name": "w" * 201}, "name"),
    ({"name": None}, "name"),
    ({"is_suspended": False}, "is_suspended"),
    ({"colour": "red"}, "colour"),
])  # fmt: skip
def test_patch_rejects_bad_bodies(tenant, body, field):
    response = tenant.api.patch("/v1/workspace", body)
    assert response.status_code == 400 and error_code(response) == "VALIDATION_ERROR"
    assert field in [detail["field"] for detail in response.json()["error"]["details"]]
    assert Workspace.objects.get(pk=tenant.workspace.pk).name == "Acme"


def test_plans_are_exactly_the_contract_table(tenant):
    response = tenant.api.get("/v1/billing/plans")
    assert response.status_code == 200
    body = response.json()
    assert body["meta"]["pagination"] == {"next_cursor": None, "has_more": False}
    rows = [(item["id"], item["attributes"]["daily_limit"], item["attributes"]["burst_limit"]) for item in body["data"]]
    assert rows == PLAN_TABLE
    assert {item["type"] for item in body["data"]} == {"plan"}
    assert [item["attributes"]["name"] for item in body["data"]] == ["Free", "Starter", "Pro", "Scale", "Enterprise"]


def test_subscription_describes_the_workspace_plan():
    tenant = make_tenant("Small", plan="starter")
    response = tenant.api.get("/v1/billing/subscription")
    assert response.status_code == 200
    data = response.json()["data"]
    assert (data["id"], data["type"]) == (tenant.workspace.pk, "subscription")
    attributes = data["attributes"]
    assert set(attributes) == {"id", "plan", "status", "daily_limit", "burst_limit", "requests_today"}
    assert (attributes["plan"], attributes["status"]) == ("starter", "active")
    assert (attributes["daily_limit"], attributes["burst_limit"]) == (25_000, 25)
    assert isinstance(attributes["requests_today"], int)


def test_subscription_follows_a_plan_change(tenant):
    Workspace.objects.filter(pk=tenant.workspace.pk).update(plan="pro")
    attributes = tenant.api.get("/v1/billing/subscription").json()["data"]["attributes"]
    assert (attributes["plan"], attributes["daily_limit"], attributes["burst_limit"]) == ("pro", 250_000, 50)


@pytest.mark.parametrize("path", ["/v1/workspace", "/v1/billing/plans", "/v1/billing/subscription"])
def test_workspace_endpoints_need_full_access(tenant, path):
    response = tenant.client_with_scopes("contacts:read", "contacts:write").get(path)
    assert response.status_code == 403 and error_code(response) == "INSUFFICIENT_SCOPE"
