"""Print a ready-to-use demo workspace and a fresh key for it (used by `make run`).

Reuses the demo workspace when it exists (keys are shown only once, so each run issues a new
key rather than pretending to know the old one).
"""

from django.core.management.base import BaseCommand

from apikeys.services import apikey_create
from workspaces.models import Workspace
from workspaces.services import workspace_create
from workspaces.tenancy.principal import FULL_ACCESS

DEMO_NAME = "Demo workspace"


class Command(BaseCommand):
    help = "Create (or reuse) the demo workspace and print a new '*' key for it."

    def add_arguments(self, parser):
        parser.add_argument("--base-url", default="http://127.0.0.1:8000")

    def handle(self, *args, base_url, **options):
        workspace = Workspace.objects.filter(name=DEMO_NAME).order_by("created_at").first()
        if workspace is None:
            workspace, _, plaintext = workspace_create(name=DEMO_NAME, plan="pro")
        else:
            _, plaintext = apikey_create(workspace=workspace, name="Demo key", scopes=[FULL_ACCESS])
        lines = [
            "",
            f"  Demo workspace: {workspace.pk} (plan {workspace.plan})",
            f"  API key:        {plaintext}",
            "",
            f"  Try it:   curl -H 'Authorization: Bearer {plaintext}' {base_url}/v1/workspace",
            f"  Swagger:  {base_url}/docs/",
            f"  ReDoc:    {base_url}/redoc/",
            f"  Browse:   {base_url}/v1/workspace  (after POST /v1/signup, log in at {base_url}/api-auth/login/)",
            f"  Admin:    {base_url}/admin/  (create an operator with: .venv/bin/python manage.py createsuperuser)",
            "",
        ]
        self.stdout.write("\n".join(lines))
