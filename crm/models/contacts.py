from django.db import models
from django.db.models import Q

from crm.tags import TagsField
from nodestash.ids import PrefixedIdField
from workspaces.tenancy.models import WorkspaceOwnedModel

IDENTIFYING_FIELDS = ("email", "first_name", "last_name", "phone")


class Contact(WorkspaceOwnedModel):
    """A person. `email` is stored trimmed and lower-cased (see `crm.services.contacts`),
    so the unique constraint holds on the normalized value. Optional text is NULL, never ''."""

    id = PrefixedIdField(prefix="ct")
    email = models.EmailField(max_length=254, null=True, blank=True)
    first_name = models.CharField(max_length=100, null=True, blank=True)
    last_name = models.CharField(max_length=100, null=True, blank=True)
    phone = models.CharField(max_length=50, null=True, blank=True)
    # The plain index on company_id serves `SET NULL` when a company is deleted and the
    # `include=contacts` prefetch.
    company = models.ForeignKey(
        "crm.Company", on_delete=models.SET_NULL, null=True, blank=True, related_name="contacts"
    )
    title = models.CharField(max_length=200, null=True, blank=True)
    source = models.CharField(max_length=100, null=True, blank=True)
    tags = TagsField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "email"],
                condition=Q(email__isnull=False),
                name="crm_contact_email_uniq",
                violation_error_message="A contact with this email already exists in this workspace.",
            ),
            models.CheckConstraint(
                condition=Q(email__isnull=False)
                | Q(first_name__isnull=False)
                | Q(last_name__isnull=False)
                | Q(phone__isnull=False),
                name="crm_contact_identifiable",
                violation_error_message="A contact needs at least one of email, first_name, last_name, phone.",
            ),
        ]
        # Each serves a sort (ascending, and descending by a backward scan) and the keyset
        # cursor, or an exact filter with the default sort. PostgreSQL also gets nulls-last
        # descending indexes for the nullable sorts and a GIN index on tags (migration).
        indexes = [
            models.Index(fields=["workspace", "created_at", "id"], name="crm_ct_ws_created"),
            models.Index(fields=["workspace", "updated_at", "id"], name="crm_ct_ws_updated"),
            models.Index(fields=["workspace", "email", "id"], name="crm_ct_ws_email"),
            models.Index(fields=["workspace", "first_name", "id"], name="crm_ct_ws_first_name"),
            models.Index(fields=["workspace", "last_name", "id"], name="crm_ct_ws_last_name"),
            models.Index(fields=["workspace", "source", "created_at", "id"], name="crm_ct_ws_source"),
            models.Index(fields=["workspace", "company", "created_at", "id"], name="crm_ct_ws_company"),
        ]

    def __str__(self) -> str:
        name = " ".join(part for part in (self.first_name, self.last_name) if part)
        return f"{name or self.email or self.phone} ({self.id})"
