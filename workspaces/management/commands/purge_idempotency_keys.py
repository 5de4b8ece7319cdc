from django.core.management.base import BaseCommand

from workspaces.idempotency.services import idempotency_purge_expired


class Command(BaseCommand):
    help = "Delete idempotency keys older than 24 hours (run it from cron, e.g. hourly)."

    def handle(self, *args, **options):
        deleted = idempotency_purge_expired()
        self.stdout.write(f"Deleted {deleted} expired idempotency key(s).")
