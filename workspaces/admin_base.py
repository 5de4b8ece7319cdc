"""Reusable Django admin bases for workspace-owned models (CRM, custom fields, API keys).

The admin is cross-workspace by nature (operators see every tenant), so it must never touch
the fail-closed `objects` manager without knowing which workspace it is acting in. Use:

    from workspaces.admin_base import WorkspaceOwnedAdmin

    @admin.register(Contact)
    class ContactAdmin(WorkspaceOwnedAdmin):
        list_display = ("id", "email", "workspace", "created_at")
        search_fields = ("id", "email")
        list_filter = ("source",)          # the workspace filter is added in front
        list_select_related = ("company",)  # `workspace` is added
        raw_id_fields = ("company",)        # `workspace` is added

What `WorkspaceOwnedAdmin` guarantees:
- changelists, searches, autocompletes and deletes read through `Model.unscoped`;
- a workspace list filter, `workspace` in `list_select_related` and a raw-id workspace widget
  (no <select> that loads every workspace), whatever the subclass declares;
- the change form runs inside the edited object's workspace (`activate_workspace`), so
  relation choices, raw-id labels, inlines and unique-constraint checks see only that
  workspace: a company of another workspace cannot be attached to a contact. On the add form
  the workspace comes from the submitted data; until one is chosen, relation choices are empty;
- the workspace of an existing object is read-only (rows never move between tenants).

`WorkspaceOwnedInline` is the matching inline base (its rows get the parent's workspace).
Avoid `AllValuesFieldListFilter` on a path through a relation (`"company__industry"`):
Django reads those through the default manager.
The admin site itself is staff only (Django's `is_staff` check plus model permissions).
"""

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import ForeignKeyRawIdWidget

from workspaces.models import Workspace
from workspaces.tenancy.context import activate_workspace, current_workspace
from workspaces.tenancy.models import WorkspaceOwnedModel

WORKSPACE = "workspace"


def is_workspace_owned(model) -> bool:
    return issubclass(model, WorkspaceOwnedModel)


class WorkspaceRawIdWidget(ForeignKeyRawIdWidget):
    """Django's raw-id widget labels its value through the default manager, which needs a workspace."""

    def label_and_url_for_value(self, value):
        if is_workspace_owned(self.rel.model) and current_workspace() is None:
            return "", ""
        return super().label_and_url_for_value(value)


class UnscopedRelationsMixin:
    """Relation choices of workspace-owned models: the active workspace's rows, or none."""

    def get_field_queryset(self, db, db_field, request):
        related = db_field.remote_field.model
        if not is_workspace_owned(related):
            return super().get_field_queryset(db, db_field, request)
        workspace = current_workspace()
        queryset = related.unscoped.using(db)
        return queryset.filter(workspace=workspace) if workspace is not None else queryset.none()

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.raw_id_fields:
            kwargs["widget"] = WorkspaceRawIdWidget(db_field.remote_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class WorkspaceOwnedAdmin(UnscopedRelationsMixin, admin.ModelAdmin):
    list_display = ("__str__", WORKSPACE, "created_at")

    def __init__(self, model, admin_site):
        super().__init__(model, admin_site)
        if WORKSPACE not in self.raw_id_fields:
            self.raw_id_fields = (WORKSPACE, *self.raw_id_fields)

    def get_queryset(self, request):
        queryset = self.model.unscoped.get_queryset()
        ordering = self.get_ordering(request)
        return queryset.order_by(*ordering) if ordering else queryset

    def get_list_filter(self, request):
        filters = tuple(super().get_list_filter(request))
        return filters if WORKSPACE in filters else (WORKSPACE, *filters)

    def get_list_select_related(self, request):
        related = super().get_list_select_related(request)
        if related is True:
            return True
        related = tuple(related or ())
        return related if WORKSPACE in related else (WORKSPACE, *related)

    def get_readonly_fields(self, request, obj=None):
        fields = tuple(super().get_readonly_fields(request, obj))
        return (*fields, WORKSPACE) if obj is not None and WORKSPACE not in fields else fields

    def save_formset(self, request, form, formset, change):
        """New inline rows of workspace-owned models join the parent's workspace."""
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            obj.delete()
        for obj in instances:
            if is_workspace_owned(type(obj)) and obj.workspace_id is None:
                obj.workspace_id = form.instance.workspace_id
            obj.save()
        formset.save_m2m()

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        with activate_workspace(self.form_workspace(request, object_id)):
            response = super().changeform_view(request, object_id, form_url, extra_context)
            # A TemplateResponse renders after the view returns; widgets look rows up while rendering.
            if hasattr(response, "render") and not response.is_rendered:
                response.render()
            return response

    def form_workspace(self, request, object_id) -> Workspace | None:
        """The workspace a change (or add) form acts in: the object's, or the one submitted. The id
        comes from the URL as the admin quotes it (`ct_5F…` for `ct_…`), so it is unquoted first."""
        if object_id is not None:
            obj = self.get_queryset(request).select_related(WORKSPACE).filter(pk=unquote(object_id)).first()
            return obj.workspace if obj is not None else None
        submitted = request.POST.get(WORKSPACE) if request.method == "POST" else None
        return Workspace.objects.filter(pk=submitted).first() if submitted else None


class WorkspaceOwnedInline(UnscopedRelationsMixin, admin.TabularInline):
    """Inline rows of a workspace-owned parent: they take the parent's workspace on save."""

    exclude = (WORKSPACE,)

    def get_queryset(self, request):
        return self.model.unscoped.get_queryset()
