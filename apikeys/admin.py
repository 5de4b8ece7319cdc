"""Operator admin for API keys: list, filter by workspace, revoke. Never a hash or a secret.

Keys cannot be created or edited here: a new key's plaintext can be shown only once, to the
person who asked for it, which the admin cannot do safely. Operators use
`manage.py create_workspace` or the workspace's own `POST /v1/api-keys`.
"""

from django.contrib import admin, messages
from django.utils import timezone

from apikeys.models import ApiKey
from apikeys.services import apikey_revoke
from nodestash.errors import Conflict
from workspaces.admin_base import WorkspaceOwnedAdmin


@admin.register(ApiKey)
class ApiKeyAdmin(WorkspaceOwnedAdmin):
    list_display = ("name", "key_hint", "workspace", "scopes", "state", "last_used_at", "created_at")
    search_fields = ("id", "name", "key_hint", "workspace__id", "workspace__name")
    fields = ("id", "workspace", "name", "key_hint", "scopes", "expires_at", "last_used_at", "revoked_at", "created_at")
    readonly_fields = fields
    actions = ["revoke"]

    @admin.display(description="state")
    def state(self, api_key: ApiKey) -> str:
        if api_key.revoked_at is not None:
            return "revoked"
        return "active" if api_key.is_active(timezone.now()) else "expired"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        # Viewing stays possible (view permission); nothing on a key is editable here.
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        # Revoking keeps the row (contract §3) and enforces the last-`*`-key rule; deleting would not.
        return False

    @admin.action(description="Revoke the selected API keys", permissions=["revoke"])
    def revoke(self, request, queryset):
        revoked = 0
        for api_key in queryset:
            try:
                apikey_revoke(api_key=api_key)
            except Conflict as exc:
                self.message_user(request, f"{api_key}: {exc.detail}", messages.ERROR)
            else:
                revoked += 1
        if revoked:
            self.message_user(request, f"Revoked {revoked} API key(s).", messages.SUCCESS)

    def has_revoke_permission(self, request) -> bool:
        return request.user.has_perm("apikeys.change_apikey")
