"""The abstract base of every workspace-owned model, and its managers.

`objects` is fail-closed: it filters by the active workspace and, when there is none,
raises `NoActiveWorkspace` as soon as a query would run, instead of quietly returning every
tenant's rows.
`unscoped` is the deliberate, greppable way around it (admin, migrations, key lookup).
"""

from django.db import models

from workspaces.tenancy.context import current_workspace


class NoActiveWorkspace(RuntimeError):
    """A scoped query ran with no workspace active: a tenancy bug, never a client error."""


def _refuse(queryset, *args, **kwargs):
    raise NoActiveWorkspace(
        f"{queryset.model.__name__}.objects used with no active workspace; "
        f"activate one or use {queryset.model.__name__}.unscoped on purpose."
    )


class NoWorkspaceQuerySet(models.QuerySet):
    """What the scoped manager hands out when no workspace is active.

    It may be built and chained, because Django builds querysets from the default manager
    before anyone can activate a workspace (`ForeignKey.formfield()`, form classes at import);
    it raises `NoActiveWorkspace` as soon as anything would read or write rows. It is also
    empty underneath (`none()`), so a path that slips past these methods matches nothing.
    """


for _name in (
    *("_fetch_all", "iterator", "aiterator", "count", "exists", "contains", "aggregate", "explain", "in_bulk"),
    *("update", "_update", "delete", "_raw_delete", "create", "bulk_create", "bulk_update"),
    *("get_or_create", "update_or_create", "resolve_expression"),
):
    setattr(NoWorkspaceQuerySet, _name, _refuse)


class WorkspaceScopedManager(models.Manager):
    def get_queryset(self):
        workspace = current_workspace()
        if workspace is None:
            return NoWorkspaceQuerySet(model=self.model, using=self._db, hints=self._hints).none()
        return super().get_queryset().filter(workspace=workspace)

    def none(self):
        # An empty queryset reveals nothing, so it needs no workspace (schema generation uses it).
        return super().get_queryset().none()


class WorkspaceOwnedModel(models.Model):
    """Carries the workspace, timestamps and both managers; subclasses add an `id` field.

    Indexes of subclasses should lead with `workspace` (every query filters by it).
    """

    workspace = models.ForeignKey("workspaces.Workspace", on_delete=models.CASCADE, related_name="+", db_index=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = WorkspaceScopedManager()
    unscoped = models.Manager()  # noqa: DJ012 (ruff takes a second manager for a field)

    class Meta:
        abstract = True
        default_manager_name = "objects"
        base_manager_name = "unscoped"

    def assign(self, changes: dict) -> list[str]:
        """Set the changed attributes; returns the `update_fields` that save them, with the
        `updated_at` that auto_now moves only when it is named there."""
        for name, value in changes.items():
            setattr(self, name, value)
        return [*changes, "updated_at"]
