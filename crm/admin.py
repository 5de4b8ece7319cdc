"""The operator admin for CRM models, on the shared `WorkspaceOwnedAdmin` base (unscoped
lists, workspace filter, raw-id relations, change forms inside the object's workspace).

Admin forms store the same normalized values as the API (emails, domains, tags), and deletes go
through the services so references are cleared the same way.
"""

from django import forms
from django.contrib import admin

from crm.models import Company, Contact
from crm.normalization import InvalidDomain, normalize_domain, normalize_email
from crm.services.companies import company_delete
from crm.tags import TagError, normalize_tags
from workspaces.admin_base import WorkspaceOwnedAdmin

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
class ContactAdmin(WorkspaceOwnedAdmin):
    form = ContactAdminForm
    fields = ("workspace", "email", "first_name", "last_name", "phone", "company", "title", "source", "tags")
    list_display = ("id", "email", "first_name", "last_name", "company", "workspace", "created_at")
    search_fields = ("id", "email", "first_name", "last_name")
    list_select_related = ("company",)
    raw_id_fields = ("company",)
    date_hierarchy = "created_at"


@admin.register(Company)
class CompanyAdmin(WorkspaceOwnedAdmin):
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
