"""`manage.py seed_workspace`: a new workspace full of realistic CRM data, and its key."""

import sys
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from benchmarks.seeding import AlreadySeeded, Seeder, SeedSizes, refresh_statistics
from workspaces.models import Workspace
from workspaces.services import workspace_create


class Command(BaseCommand):
    help = (
        "Create a workspace (or take an empty one with --workspace) and fill it with companies, "
        "contacts, deals, activities and contact custom fields. Prints the workspace id and a '*' key."
    )

    def add_arguments(self, parser):
        parser.add_argument("--contacts", type=int, default=SeedSizes.contacts, help="default: %(default)s")
        parser.add_argument("--companies", type=int, help="default: contacts / 10")
        parser.add_argument("--deals", type=int, help="default: contacts / 5")
        parser.add_argument("--activities", type=int, help="default: contacts / 2")
        parser.add_argument("--seed", type=int, default=SeedSizes.seed, help="random seed for the data's shape")
        parser.add_argument("--name", help="name of the new workspace (default: 'Seeded <contacts>')")
        parser.add_argument("--plan", default="enterprise", help="plan of the new workspace (default: %(default)s)")
        parser.add_argument("--workspace", help="seed this existing, empty workspace instead (no key is printed)")

    def handle(self, *args, **options):
        sizes = SeedSizes(
            contacts=options["contacts"], companies=options["companies"], deals=options["deals"],
            activities=options["activities"], seed=options["seed"],
        )  # fmt: skip
        if min(sizes.contacts, sizes.deal_count, sizes.activity_count) < 0 or sizes.company_count < 1:
            raise CommandError("Sizes must be ≥ 0 (--companies ≥ 1).")
        started = time.monotonic()
        # One transaction: a failed run leaves neither data nor an empty new workspace behind.
        with transaction.atomic():
            workspace, plaintext = self.target_workspace(options, sizes)
            try:
                counts = Seeder(workspace, sizes, stream=sys.stderr).run()
            except AlreadySeeded as error:
                raise CommandError(str(error)) from None
        refresh_statistics()
        summary = ", ".join(f"{count:,} {name}" for name, count in counts.items())
        self.stderr.write(f"Seeded {summary} in {time.monotonic() - started:.1f}s.")
        self.stdout.write(f"workspace={workspace.pk}")
        if plaintext:
            self.stdout.write(f"key={plaintext}")

    def target_workspace(self, options, sizes: SeedSizes):
        """(workspace, plaintext key or None): the named existing one, or a new one."""
        if options["workspace"]:
            workspace = Workspace.objects.filter(pk=options["workspace"]).first()
            if workspace is None:
                raise CommandError(f"No workspace {options['workspace']}.")
            return workspace, None
        name = options["name"] or f"Seeded {sizes.contacts:,}"
        workspace, _, plaintext = workspace_create(name=name, plan=options["plan"])
        return workspace, plaintext
