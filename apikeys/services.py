"""Writes for API keys: create, rename, revoke, rotate.

Key mutations lock the workspace row first, so two concurrent revokes cannot both pass
the "last active `*` key" check and leave the workspace with no way in.
"""

from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from apikeys.keys import generate_key, hash_key, key_hint
from apikeys.models import ApiKey
from nodestash.errors import Conflict
from workspaces.models import Workspace
from workspaces.tenancy.principal import FULL_ACCESS

DEFAULT_ROTATION_GRACE_SECONDS = 86_400


def active_keys(workspace, now=None):
    now = now or timezone.now()
    return ApiKey.unscoped.filter(workspace=workspace, revoked_at__isnull=True).filter(
        Q(expires_at__isnull=True) | Q(expires_at__gt=now)
    )


@transaction.atomic
def apikey_create(*, workspace, name: str, scopes: list[str], expires_at=None) -> tuple[ApiKey, str]:
    """Returns the key row and its plaintext, which is never available again."""
    plaintext = generate_key(workspace.environment)
    api_key = ApiKey.unscoped.create(
        workspace=workspace,
        name=name,
        scopes=list(scopes),
        expires_at=expires_at,
        key_hash=hash_key(plaintext),
        key_hint=key_hint(plaintext),
    )
    return api_key, plaintext


def apikey_update(*, api_key: ApiKey, name: str) -> ApiKey:
    api_key.name = name
    api_key.save(update_fields=["name", "updated_at"])
    return api_key


@transaction.atomic
def apikey_revoke(*, api_key: ApiKey) -> ApiKey:
    Workspace.objects.select_for_update().get(pk=api_key.workspace_id)
    api_key.refresh_from_db()
    if api_key.revoked_at is not None:
        return api_key
    now = timezone.now()
    if FULL_ACCESS in api_key.scopes and api_key.is_active(now):
        others = active_keys(api_key.workspace_id, now).exclude(pk=api_key.pk)
        if not any(FULL_ACCESS in other.scopes for other in others.only("scopes")):
            raise Conflict("This is the workspace's last active '*' key; create another one before revoking it.")
    api_key.revoked_at = now
    api_key.save(update_fields=["revoked_at", "updated_at"])
    return api_key


@transaction.atomic
def apikey_rotate(*, api_key: ApiKey, grace_period_seconds: int = DEFAULT_ROTATION_GRACE_SECONDS):
    """Issue a successor with the same name and scopes; the old key expires after the grace
    period (or sooner, if it was already due to expire)."""
    Workspace.objects.select_for_update().get(pk=api_key.workspace_id)
    api_key.refresh_from_db()
    if not api_key.is_active():
        raise Conflict("Only an active key can be rotated; this one is revoked or expired.")
    new_key, plaintext = apikey_create(
        workspace=api_key.workspace, name=api_key.name, scopes=api_key.scopes, expires_at=api_key.expires_at
    )
    deadline = timezone.now() + timedelta(seconds=grace_period_seconds)
    if api_key.expires_at is None or api_key.expires_at > deadline:
        api_key.expires_at = deadline
        api_key.save(update_fields=["expires_at", "updated_at"])
    return new_key, plaintext
