from django.db import models
from django.db.models import Q

from crm.tags import TagsField
from nodestash.ids import PrefixedIdField
from workspaces.tenancy.models import WorkspaceOwnedModel


class Company(WorkspaceOwnedModel):
    """An organisation. `domain` is stored normalized (see `crm.services.companies`), so
    the unique constraint holds on the normalized value."""

    id = PrefixedIdField(prefix="co")
    name = models.CharField(max_length=200)
    domain = models.CharField(max_length=255, null=True, blank=True)
    industry = models.CharField(max_length=100, null=True, blank=True)
    size = models.CharField(max_length=50, null=True, blank=True)
    tags = TagsField()

    class Meta:
        verbose_name_plural = "companies"
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "domain"],
                condition=Q(domain__isnull=False),
                name="crm_company_domain_uniq",
                violation_error_message="A company with this domain already exists in this workspace.",
            ),
            models.CheckConstraint(condition=~Q(name=""), name="crm_company_name_not_empty"),
        ]
        # Each serves a sort (ascending, and descending by a backward scan) and the keyset
        # cursor; PostgreSQL also gets `-domain` nulls-last and a GIN index on tags (migration).
        indexes = [
            models.Index(fields=["workspace", "created_at", "id"], name="crm_co_ws_created"),
            models.Index(fields=["workspace", "updated_at", "id"], name="crm_co_ws_updated"),
            models.Index(fields=["workspace", "name", "id"], name="crm_co_ws_name"),
            models.Index(fields=["workspace", "domain", "id"], name="crm_co_ws_domain"),
            models.Index(fields=["workspace", "size", "created_at", "id"], name="crm_co_ws_size"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.id})"
