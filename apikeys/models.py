from django.db import models
from django.utils import timezone

from nodestash.ids import PrefixedIdField
from workspaces.tenancy.models import WorkspaceOwnedModel


class ApiKey(WorkspaceOwnedModel):
    """An API key. Only the hash of the secret is stored; the plaintext is shown once."""

    id = PrefixedIdField(prefix="key")
    name = models.CharField(max_length=100)
    key_hash = models.CharField(max_length=64, unique=True)  # globally unique: it is the lookup
    key_hint = models.CharField(max_length=32)
    scopes = models.JSONField(default=list)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "API key"
        indexes = [models.Index(fields=["workspace", "-created_at", "-id"], name="apikey_ws_created")]

    def __str__(self) -> str:
        return f"{self.name} ({self.key_hint})"

    def is_active(self, now=None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)
