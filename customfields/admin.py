"""Operator admin for custom fields: definitions (with the API's rules), and a read-only list
of a record's values on the CRM record pages (`CustomFieldValuesAdminMixin`).

Values are not editable here: the typed columns and per-type rules belong to the API, and a
hand-edited row could hold a value its field type does not allow."""

from django import forms
from django.contrib import admin
from django.utils.html import format_html, format_html_join

from customfields.models import CustomFieldDefinition
from customfields.selectors import value_of, values_of_record, values_with_option
from customfields.services import MAX_DEFINITIONS_PER_ENTITY_TYPE
from customfields.slugs import SLUG_PATTERN
from customfields.types import SELECT_TYPES, InvalidValue, parse_options
from workspaces.admin_base import WorkspaceOwnedAdmin

IMMUTABLE = ("entity_type", "slug", "field_type")


class CustomFieldDefinitionForm(forms.ModelForm):
    class Meta:
        model = CustomFieldDefinition
        fields = ("name", "slug", "entity_type", "field_type", "description", "is_required", "options")

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        if not SLUG_PATTERN.fullmatch(slug):
            raise forms.ValidationError("Must match ^[a-z][a-z0-9_]*$.")
        return slug

    def clean(self):
        data = super().clean()
        definition = self.instance
        field_type = data.get("field_type") if definition._state.adding else definition.field_type
        options = data.get("options")
        if field_type in SELECT_TYPES:
            try:
                data["options"] = parse_options(options)
            except InvalidValue as error:
                self.add_error("options", str(error))
        elif options is not None:
            self.add_error("options", "Only select and multi_select fields have options.")
        if not definition._state.adding:
            removed = set(definition.options or []) - set(data.get("options") or [])
            in_use = sorted(option for option in removed if values_with_option(definition, option).exists())
            if in_use:
                self.add_error("options", f"Still used by records: {', '.join(in_use)}.")
        elif data.get("workspace") is not None:
            self._check_room(data)
        return data

    def _check_room(self, data) -> None:
        siblings = CustomFieldDefinition.unscoped.filter(workspace=data["workspace"], entity_type=data["entity_type"])
        if siblings.filter(slug=data.get("slug")).exists():
            self.add_error("slug", "This slug already exists for this entity type in the workspace.")
        if siblings.count() >= MAX_DEFINITIONS_PER_ENTITY_TYPE:
            self.add_error(None, f"At most {MAX_DEFINITIONS_PER_ENTITY_TYPE} custom fields per entity type.")


@admin.register(CustomFieldDefinition)
class CustomFieldDefinitionAdmin(WorkspaceOwnedAdmin):
    form = CustomFieldDefinitionForm
    fields = ("workspace", *CustomFieldDefinitionForm.Meta.fields, "display_order")
    list_display = ("id", "slug", "name", "entity_type", "field_type", "is_required", "workspace", "created_at")
    list_filter = ("entity_type", "field_type")
    search_fields = ("id", "slug", "name")

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        return (*fields, *IMMUTABLE) if obj is not None else fields


class CustomFieldValuesAdminMixin:
    """Shows a CRM record's custom field values, read-only, on its admin change page (one
    query). Put it before WorkspaceOwnedAdmin in the record admin's bases."""

    def get_fields(self, request, obj=None):
        fields = tuple(super().get_fields(request, obj))
        return (*fields, "custom_fields") if obj is not None else fields

    def get_readonly_fields(self, request, obj=None):
        fields = tuple(super().get_readonly_fields(request, obj))
        return (*fields, "custom_fields") if obj is not None else fields

    @admin.display(description="Custom fields")
    def custom_fields(self, record):
        rows = values_of_record(record, entity_type=record._meta.model_name)  # contact, company, deal, activity
        if not rows:
            return "—"
        cells = ((row.definition.slug, row.definition.field_type, value_of(row)) for row in rows)
        table_rows = format_html_join("", "<tr><th>{}</th><td>{}</td><td>{}</td></tr>", cells)
        return format_html("<table>{}</table>", table_rows)
