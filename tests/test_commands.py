"""Operator commands: `create_workspace` and `demo_workspace` print a working key exactly once."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from apikeys.models import ApiKey
from tests.helpers import Api
from workspaces.models import Workspace

KEY = re.compile(r"nds_(?:live|test)_[0-9A-Za-z]{32,}")


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_create_workspace_prints_a_working_key_once():
    output = run("create_workspace", "Initech", "--plan", "starter")
    keys = KEY.findall(output)
    assert len(keys) == 1
    workspace = Workspace.objects.get(name="Initech")
    assert workspace.pk in output
    assert (workspace.plan, workspace.environment) == ("starter", "live")
    assert keys[0].startswith("nds_live_")
    response = Api(keys[0]).get("/v1/workspace")
    assert response.status_code == 200 and response.json()["data"]["id"] == workspace.pk
    stored = ApiKey.unscoped.get(workspace=workspace)
    assert stored.scopes == ["*"] and stored.key_hash != keys[0]


def test_create_workspace_in_the_test_environment():
    output = run("create_workspace", "Sandbox", "--environment", "test")
    (key,) = KEY.findall(output)
    assert key.startswith("nds_test_")
    assert Workspace.objects.get(name="Sandbox").plan == "free"


@pytest.mark.parametrize("args", [("--plan", "platinum"), ("--environment", "staging")])
def test_create_workspace_rejects_unknown_choices(args):
    with pytest.raises(CommandError):
        run("create_workspace", "Nope", *args)
    assert not Workspace.objects.filter(name="Nope").exists()


def test_demo_workspace_prints_a_working_key_and_the_urls():
    output = run("demo_workspace", "--base-url", "http://example.test:9000")
    (key,) = set(KEY.findall(output))
    assert Api(key).get("/v1/workspace").status_code == 200
    for url in ("http://example.test:9000/docs/", "http://example.test:9000/redoc/", "http://example.test:9000/admin/"):
        assert url in output


def test_demo_workspace_reuses_the_workspace_and_issues_a_new_key_each_run():
    (first,) = set(KEY.findall(run("demo_workspace")))
    (second,) = set(KEY.findall(run("demo_workspace")))
    assert first != second
    assert Workspace.objects.filter(name="Demo workspace").count() == 1
    for key in (first, second):
        assert Api(key).get("/v1/workspace").status_code == 200
