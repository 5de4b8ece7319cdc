"""Create a workspace with a `*` API key and print the key (shown once, never again)."""

from django.core.management.base import BaseCommand

from workspaces.models import Environment
from workspaces.plans import DEFAULT_PLAN, PLANS
from workspaces.services import workspace_create


class Command(BaseCommand):
    help = "Create a workspace with its default pipeline and a '*' API key; prints the key once."

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument("--plan", choices=list(PLANS), default=DEFAULT_PLAN)
        parser.add_argument("--environment", choices=list(Environment.values), default=Environment.LIVE)

    def handle(self, *args, name, plan, environment, **options):
        workspace, _, plaintext = workspace_create(name=name, plan=plan, environment=environment)
        self.stdout.write(f"Workspace: {workspace.pk} ({workspace.name}, plan {plan}, {environment})")
        self.stdout.write(f"API key (shown once): {plaintext}")
