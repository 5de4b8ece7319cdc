"""Custom field definitions (per workspace and entity type) and their values (EAV)."""

from django.db import models

from customfields.types import FieldType
from nodestash.ids import PrefixedIdField
from workspaces.tenancy.models import WorkspaceOwnedModel


class EntityType(models.TextChoices):
    CONTACT = "contact"
    COMPANY = "company"
    DEAL = "deal"
    ACTIVITY = "activity"


class CustomFieldDefinition(WorkspaceOwnedModel):
    """A typed field a workspace adds to one entity type. `entity_type`, `slug` and
    `field_type` never change once created (stored values depend on them)."""

    id = PrefixedIdField(prefix="cf")
    entity_type = models.CharField(max_length=20, choices=EntityType.choices)
    name = models.CharField(max_length=200)
    slug = models.CharField(max_length=100)
    field_type = models.CharField(max_length=20, choices=FieldType.choices)
    description = models.CharField(max_length=1000, null=True, blank=True)
    is_required = models.BooleanField(default=False)
    options = models.JSONField(null=True, blank=True)
    display_order = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "custom field definition"
        constraints = [
            models.UniqueConstraint(fields=["workspace", "entity_type", "slug"], name="cf_def_unique_slug"),
        ]
        indexes = [
            models.Index(fields=["workspace", "-created_at", "-id"], name="cf_def_ws_created"),
            models.Index(fields=["workspace", "entity_type", "display_order"], name="cf_def_ws_entity_order"),
        ]

    def __str__(self) -> str:
        return f"{self.entity_type}.{self.slug} ({self.field_type})"
