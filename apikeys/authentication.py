"""Bearer API key authentication (contract §3).

One indexed query turns the key into the key row and its workspace: the one deliberate
cross-workspace query in the request path, since the workspace is not known until the key
is. The workspace becomes the request's tenancy context.
"""

from datetime import timedelta

from django.db.models import Q
from django.utils import timezone
from rest_framework.authentication import BaseAuthentication

from apikeys.keys import hash_key, looks_like_key
from apikeys.models import ApiKey
from nodestash.errors import InvalidApiKey, WorkspaceSuspended
from workspaces.tenancy.context import set_current_workspace
from workspaces.tenancy.principal import ApiKeyUser, Principal

LAST_USED_RESOLUTION = timedelta(minutes=1)


def touch_last_used(api_key: ApiKey, now) -> None:
    """Record use at most once a minute per key; the conditional UPDATE keeps racing
    workers from writing more than once."""
    threshold = now - LAST_USED_RESOLUTION
    if api_key.last_used_at is not None and api_key.last_used_at > threshold:
        return
    ApiKey.unscoped.filter(Q(last_used_at__isnull=True) | Q(last_used_at__lte=threshold), pk=api_key.pk).update(
        last_used_at=now
    )


class ApiKeyAuthentication(BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION")
        if header is None:
            return None  # the permission check answers MISSING_AUTH (or a session applies)
        scheme, _, credentials = header.strip().partition(" ")
        credentials = credentials.strip()
        if scheme.lower() != self.keyword.lower():
            raise InvalidApiKey("Use 'Authorization: Bearer <api key>'.")
        if not credentials:
            raise InvalidApiKey("The Authorization header has no API key after 'Bearer'.")
        if not looks_like_key(credentials):
            raise InvalidApiKey()
        # Deliberately unscoped: the key itself tells us the workspace.
        api_key = ApiKey.unscoped.select_related("workspace").filter(key_hash=hash_key(credentials)).first()
        now = timezone.now()
        if api_key is None or not api_key.is_active(now):
            raise InvalidApiKey()
        if api_key.workspace.is_suspended:
            raise WorkspaceSuspended()
        touch_last_used(api_key, now)
        set_current_workspace(api_key.workspace)
        principal = Principal(workspace=api_key.workspace, scopes=frozenset(api_key.scopes), api_key=api_key)
        return ApiKeyUser(api_key), principal

    def authenticate_header(self, request):
        return self.keyword
