"""Every workspace starts with the default "Sales Pipeline" (contract §4), however it was created."""

from importlib import import_module

from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from crm.models import Pipeline, Stage
from tests.helpers import Api
from workspaces.models import Workspace

EXPECTED_STAGES = [
    ("Lead", "open", 0),
    ("Qualified", "open", 1),
    ("Proposal", "open", 2),
    ("Negotiation", "open", 3),
    ("Won", "won", 4),
    ("Lost", "lost", 5),
]


def assert_default_pipeline(workspace):
    pipelines = list(Pipeline.unscoped.filter(workspace=workspace))
    assert len(pipelines) == 1
    pipeline = pipelines[0]
    assert pipeline.name == "Sales Pipeline" and pipeline.is_default
    stages = Stage.unscoped.filter(pipeline=pipeline).order_by("position")
    assert [(s.name, s.type, s.position) for s in stages] == EXPECTED_STAGES
    assert all(s.workspace_id == workspace.pk for s in stages)


def test_signup_creates_the_default_pipeline(anon):
    response = anon.post("/v1/signup", {"email": "new@example.com", "password": "a-long-Passw0rd!"})
    assert response.status_code == 201, response.content
    data = response.json()["data"]
    assert_default_pipeline(Workspace.objects.get(pk=data["id"]))
    key = data["attributes"]["api_key"]["attributes"]["key"]
    listed = Api(key).get("/v1/pipelines").json()["data"]
    assert [p["attributes"]["name"] for p in listed] == ["Sales Pipeline"]
    assert [s["name"] for s in listed[0]["attributes"]["stages"]] == [name for name, _, _ in EXPECTED_STAGES]


def test_create_workspace_command_creates_the_default_pipeline():
    call_command("create_workspace", "Initech", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert_default_pipeline(Workspace.objects.get(name="Initech"))


def test_each_workspace_gets_its_own_default_pipeline(tenant, other_tenant):
    assert_default_pipeline(tenant.workspace)
    assert_default_pipeline(other_tenant.workspace)
    ours = tenant.api.get("/v1/pipelines").json()["data"]
    theirs = other_tenant.api.get("/v1/pipelines").json()["data"]
    assert len(ours) == len(theirs) == 1 and ours[0]["id"] != theirs[0]["id"]


def test_a_failed_signup_leaves_no_pipeline_behind(anon):
    anon.post("/v1/signup", {"email": "dup@example.com", "password": "a-long-Passw0rd!"})
    before = Pipeline.unscoped.count()
    response = anon.post("/v1/signup", {"email": "dup@example.com", "password": "a-long-Passw0rd!"})
    assert response.status_code == 409
    assert Pipeline.unscoped.count() == before


def test_a_workspace_added_in_the_admin_gets_the_default_pipeline(admin_client):
    response = admin_client.post(
        "/admin/workspaces/workspace/add/", {"name": "Umbrella", "plan": "free", "environment": "live"}
    )
    assert response.status_code == 302, response.content[:2000]
    assert_default_pipeline(Workspace.objects.get(name="Umbrella"))


def test_the_migration_backfills_workspaces_without_pipelines(tenant):
    """Workspaces created before migration 0002 get the default pipeline from it."""
    name = "0002_pipelines_deals_activities"
    historical = MigrationLoader(connection).project_state(("crm", name)).apps
    Pipeline.unscoped.filter(workspace=tenant.workspace).delete()
    import_module(f"crm.migrations.{name}").backfill_default_pipelines(historical, None)
    assert_default_pipeline(tenant.workspace)
