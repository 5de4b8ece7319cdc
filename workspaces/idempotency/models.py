from django.db import models
from rest_framework.utils.encoders import JSONEncoder

from workspaces.tenancy.models import WorkspaceOwnedModel


class IdempotencyKey(WorkspaceOwnedModel):
    """A client's `Idempotency-Key`, per workspace. `response_status` is null while the first
    request still runs (the claim); afterwards the row holds what replays return."""

    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)  # SHA-256 of method, path with query, body
    claimed_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.JSONField(null=True, blank=True, encoder=JSONEncoder)
    response_headers = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [
            # The claim: a second insert of the same key fails, whichever process tries it.
            # Its index also serves every lookup. (No index on expires_at alone: indexes lead with
            # the workspace here; the purge is a periodic scan of at most a day and a bit of keys.)
            models.UniqueConstraint(fields=["workspace", "key"], name="idempotency_ws_key_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.workspace_id})"

    @property
    def is_complete(self) -> bool:
        return self.response_status is not None
