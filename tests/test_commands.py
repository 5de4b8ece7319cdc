"""Operator commands: each prints a working key exactly once, and the workspace it made is whole."""

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from apikeys.keys import hash_key
from apikeys.models import ApiKey
from tests.helpers import Api
from workspaces.models import Workspace

KEY = re.compile(r"nds_(?:live|test)_[0-9A-Za-z]{32,}")


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def the_key(output: str) -> str:
    """The one key in the output (the demo prints it twice: on its own and in a curl line)."""
    keys = set(KEY.findall(output))
    assert len(keys) == 1, output
    return keys.pop()


def test_create_workspace_prints_a_working_full_access_key_once():
    output = run("create_workspace", "Initech", "--plan", "pro")
    key = the_key(output)
    assert output.count(key) == 1
    workspace = Workspace.objects.get(name="Initech")
    assert (workspace.plan, workspace.environment) == ("pro", "live")
    assert workspace.pk in output
    row = ApiKey.unscoped.get(key_hash=hash_key(key))
    assert row.workspace == workspace and row.scopes == ["*"] and row.name == "Default key"
    response = Api(key).get("/v1/workspace")
    assert response.status_code == 200 and response.json()["data"]["id"] == workspace.pk


def test_create_workspace_gives_the_workspace_its_default_content():
    key = the_key(run("create_workspace", "Hooli"))
    pipelines = Api(key).get("/v1/pipelines").json()["data"]
    assert [pipeline["attributes"]["name"] for pipeline in pipelines] == ["Sales Pipeline"]


def test_create_workspace_in_the_test_environment():
    key = the_key(run("create_workspace", "Sandbox", "--environment", "test"))
    assert key.startswith("nds_test_")
    assert Api(key).get("/v1/workspace").json()["data"]["attributes"]["environment"] == "test"


@pytest.mark.parametrize(
    "args",
    [
        ("create_workspace",),
        ("create_workspace", "X", "--plan", "platinum"),
        ("create_workspace", "X", "--environment", "staging"),
    ],
)
def test_create_workspace_refuses_bad_arguments(args):
    with pytest.raises(CommandError):
        run(*args)
    assert not Workspace.objects.exists()


def test_demo_workspace_prints_a_working_key_and_the_urls():
    output = run("demo_workspace", "--base-url", "http://127.0.0.1:9999")
    key = the_key(output)
    assert Api(key).get("/v1/workspace").status_code == 200
    for url in ("http://127.0.0.1:9999/docs/", "http://127.0.0.1:9999/redoc/", "http://127.0.0.1:9999/v1/workspace"):
        assert url in output


def test_demo_workspace_reuses_the_workspace_with_a_new_key_each_run():
    first = the_key(run("demo_workspace"))
    second = the_key(run("demo_workspace"))
    assert first != second
    assert Workspace.objects.count() == 1
    for key in (first, second):
        assert Api(key).get("/v1/workspace").status_code == 200
