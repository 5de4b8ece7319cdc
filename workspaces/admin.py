"""Operator admin for workspaces: list, search, filter, change plan, suspend and unsuspend.

A workspace created here goes through `workspace_create`, so it gets what every workspace
starts with (the default pipeline, a `*` key). That key's plaintext is never shown: the admin
cannot show a secret safely; the operator uses `manage.py create_workspace` when someone
needs a key, or the workspace's owner creates one through the API.
"""

from django.contrib import admin, messages

from workspaces.models import Membership, Workspace
from workspaces.services import workspace_create


@admin.register(Workspace)
class WorkspaceAdmin(admin.ModelAdmin):
    list_display = ("name", "id", "plan", "environment", "is_suspended", "created_at")
    list_filter = ("plan", "is_suspended", "environment")
    search_fields = ("id", "name")
    fields = ("id", "name", "plan", "environment", "is_suspended", "created_at", "updated_at")
    readonly_fields = ("id", "created_at", "updated_at")
    actions = ["suspend", "unsuspend"]

    def get_readonly_fields(self, request, obj=None):
        # The environment is baked into the prefix of every key of the workspace.
        return (*self.readonly_fields, "environment") if obj is not None else self.readonly_fields

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        created, _, _ = workspace_create(name=obj.name, plan=obj.plan, environment=obj.environment)
        if obj.is_suspended:
            Workspace.objects.filter(pk=created.pk).update(is_suspended=True)
        obj.pk, obj.created_at, obj.updated_at = created.pk, created.created_at, created.updated_at
        obj._state.adding = False
        obj._state.db = created._state.db
        self.message_user(
            request,
            "Created with its default content and a '*' key whose secret is not shown; "
            "issue a key with `manage.py create_workspace` or through the API.",
            messages.INFO,
        )

    @admin.action(description="Suspend the selected workspaces (their keys get 403)")
    def suspend(self, request, queryset):
        count = queryset.update(is_suspended=True)
        self.message_user(request, f"Suspended {count} workspace(s).", messages.SUCCESS)

    @admin.action(description="Unsuspend the selected workspaces")
    def unsuspend(self, request, queryset):
        count = queryset.update(is_suspended=False)
        self.message_user(request, f"Unsuspended {count} workspace(s).", messages.SUCCESS)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "workspace", "created_at")
    list_select_related = ("user", "workspace")
    search_fields = ("user__username", "workspace__id", "workspace__name")
    raw_id_fields = ("user", "workspace")
