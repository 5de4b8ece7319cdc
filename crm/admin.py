"""The operator admin for CRM models, on the shared `WorkspaceOwnedAdmin` base (unscoped
lists, workspace filter, raw-id relations, change forms inside the object's workspace).

Admin forms store the same normalized values as the API (emails, domains, tags), and deletes go
through the services so references are cleared the same way.
"""

from django import forms
from django.contrib import admin
from django.db import transaction
from rest_framework.exceptions import ValidationError

from crm.models import Activity, Company, Contact, Deal, Pipeline, Stage
from crm.models.deals import CURRENCY_CODE
from crm.normalization import InvalidDomain, normalize_domain, normalize_email
from crm.services.activities import metadata_merge
from crm.services.companies import company_delete
from crm.services.pipelines import pipeline_update
from crm.tags import TagError, normalize_tags
from customfields.admin import CustomFieldValuesAdminMixin
from workspaces.admin_base import WorkspaceOwnedAdmin, WorkspaceOwnedInline

# -- contacts and companies ---------------------------------------------------------------


class TaggedAdminForm(forms.ModelForm):
    """Tags follow the API's rules (trimmed, lower-cased, ≤ 20 distinct, 1-50 characters)."""

    def clean_tags(self):
        try:
            return normalize_tags(self.cleaned_data.get("tags") or [])
        except TagError as error:
            raise forms.ValidationError(str(error)) from None


class ContactAdminForm(TaggedAdminForm):
    class Meta:
        model = Contact
        fields = ("email", "tags")  # the admin's `fields` lists the rest (a relation here would load at import)

    def clean_email(self):
        email = self.cleaned_data.get("email")
        return normalize_email(email) if email else None


class CompanyAdminForm(TaggedAdminForm):
    class Meta:
        model = Company
        fields = ("domain", "tags")

    def clean_domain(self):
        domain = self.cleaned_data.get("domain")
        if not domain:
            return None
        try:
            return normalize_domain(domain)
        except InvalidDomain as error:
            raise forms.ValidationError(str(error)) from None


@admin.register(Contact)
class ContactAdmin(CustomFieldValuesAdminMixin, WorkspaceOwnedAdmin):
    form = ContactAdminForm
    fields = ("workspace", "email", "first_name", "last_name", "phone", "company", "title", "source", "tags")
    list_display = ("id", "email", "first_name", "last_name", "company", "workspace", "created_at")
    search_fields = ("id", "email", "first_name", "last_name")
    list_select_related = ("company",)
    raw_id_fields = ("company",)
    date_hierarchy = "created_at"


@admin.register(Company)
class CompanyAdmin(CustomFieldValuesAdminMixin, WorkspaceOwnedAdmin):
    form = CompanyAdminForm
    fields = ("workspace", "name", "domain", "industry", "size", "tags")
    list_display = ("id", "name", "domain", "industry", "size", "workspace", "created_at")
    search_fields = ("id", "name", "domain")
    date_hierarchy = "created_at"

    def delete_model(self, request, obj):
        company_delete(company=obj)

    def delete_queryset(self, request, queryset):
        for company in queryset:
            company_delete(company=company)


# -- pipelines, stages, deals, activities -----------------------------------------------------
# Structure (stages, the default, pipeline/stage of a deal, is_done) changes through the API's
# services, which hold the rules and locks: here those fields are read-only, and the objects
# whose creation needs those rules are made through the API (or, for the default, an action).


class StageInline(WorkspaceOwnedInline):
    model = Stage
    fields = ("name", "type", "position")
    readonly_fields = ("type", "position")
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Pipeline)
class PipelineAdmin(WorkspaceOwnedAdmin):
    fields = ("workspace", "name", "description", "is_default")
    readonly_fields = ("is_default",)
    list_display = ("id", "name", "is_default", "workspace", "created_at")
    search_fields = ("id", "name")
    list_filter = ("is_default",)
    inlines = (StageInline,)
    actions = ("make_default",)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Make the selected pipeline its workspace's default")
    def make_default(self, request, queryset):
        for pipeline in queryset.select_related("workspace"):
            with transaction.atomic():
                pipeline_update(workspace=pipeline.workspace, pipeline=pipeline, is_default=True)


class DealAdminForm(TaggedAdminForm):
    class Meta:
        model = Deal
        fields = ("currency", "tags")

    def clean_currency(self):
        currency = self.cleaned_data.get("currency") or ""
        if not CURRENCY_CODE.match(currency):
            raise forms.ValidationError("currency must be a 3-letter code such as 'EUR'.")
        return currency.upper()


@admin.register(Deal)
class DealAdmin(CustomFieldValuesAdminMixin, WorkspaceOwnedAdmin):
    form = DealAdminForm
    fields = (
        "workspace",
        "title",
        "value",
        "currency",
        "pipeline",
        "stage",
        "contact",
        "company",
        "owner_id",
        "expected_close_date",
        "closed_at",
        "tags",
    )
    readonly_fields = ("pipeline", "stage", "closed_at")
    list_display = ("id", "title", "value", "currency", "stage", "pipeline", "workspace", "created_at")
    search_fields = ("id", "title")
    list_filter = ("stage__type",)
    list_select_related = ("stage", "pipeline")
    raw_id_fields = ("contact", "company")
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False


class ActivityAdminForm(TaggedAdminForm):
    class Meta:
        model = Activity
        fields = ("metadata", "tags")

    def clean_metadata(self):
        metadata = self.cleaned_data.get("metadata")
        if not isinstance(metadata, dict):
            raise forms.ValidationError("metadata must be a JSON object.")
        try:
            return metadata_merge({}, metadata)
        except ValidationError as error:
            raise forms.ValidationError(error.detail["metadata"]) from None


@admin.register(Activity)
class ActivityAdmin(CustomFieldValuesAdminMixin, WorkspaceOwnedAdmin):
    form = ActivityAdminForm
    fields = (
        "workspace",
        "type",
        "subject",
        "body",
        "contact",
        "company",
        "deal",
        "owner_id",
        "is_done",
        "due_date",
        "completed_at",
        "metadata",
        "tags",
    )
    readonly_fields = ("is_done", "completed_at")
    list_display = ("id", "type", "subject", "is_done", "due_date", "workspace", "created_at")
    search_fields = ("id", "subject")
    list_filter = ("type", "is_done")
    raw_id_fields = ("contact", "company", "deal")
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False
