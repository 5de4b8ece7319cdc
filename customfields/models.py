"""Custom field definitions (per workspace and entity type) and their values (EAV)."""

import functools
import operator

from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Substr, Upper

from customfields.types import FieldType
from nodestash.ids import PrefixedIdField
from workspaces.tenancy.models import WorkspaceOwnedModel

TEXT_KEY_LENGTH = 100
# The indexed, case-folded prefix of a text value; text filters compare it before the full value.
TEXT_KEY = Upper(Substr("value_text", 1, TEXT_KEY_LENGTH))


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


# The record a value belongs to: one nullable foreign key per entity type, exactly one set.
RECORD_FIELDS = {
    EntityType.CONTACT: "contact",
    EntityType.COMPANY: "company",
    EntityType.DEAL: "deal",
    EntityType.ACTIVITY: "activity",
}


def _one_record_set() -> Q:
    each = [
        Q(
            **{f"{name}__isnull": False},
            **{f"{other}__isnull": True for other in RECORD_FIELDS.values() if other != name},
        )
        for name in RECORD_FIELDS.values()
    ]
    return functools.reduce(operator.or_, each)


def _record_fk(model: str):
    # Indexed on its own for the cascade when a record is deleted (Django looks values up by
    # record id alone); reads go through the (workspace, record, definition) unique index.
    return models.ForeignKey(model, on_delete=models.CASCADE, null=True, blank=True, related_name="custom_field_values")


class CustomFieldValue(WorkspaceOwnedModel):
    """One value of one custom field on one record. The value lives in the column of its
    type (`customfields.types.COLUMNS`); the others stay NULL. Deleting the record or the
    definition deletes the value."""

    id = PrefixedIdField(prefix="cfv")
    definition = models.ForeignKey(CustomFieldDefinition, on_delete=models.CASCADE, related_name="+")
    contact = _record_fk("crm.Contact")
    company = _record_fk("crm.Company")
    deal = _record_fk("crm.Deal")
    activity = _record_fk("crm.Activity")
    value_text = models.TextField(null=True, blank=True)
    value_number = models.DecimalField(max_digits=21, decimal_places=6, null=True, blank=True)
    value_boolean = models.BooleanField(null=True, blank=True)
    value_date = models.DateField(null=True, blank=True)
    value_list = models.TextField(null=True, blank=True)

    class Meta:
        verbose_name = "custom field value"
        constraints = [
            models.CheckConstraint(condition=_one_record_set(), name="cfv_exactly_one_record"),
            *(
                models.UniqueConstraint(
                    fields=["workspace", name, "definition"],
                    condition=Q(**{f"{name}__isnull": False}),
                    name=f"cfv_unique_{name}",
                )
                for name in RECORD_FIELDS.values()
            ),
        ]
        # The `cf.` filters: equality and ranges on the typed columns within one definition.
        # Text is matched case-insensitively, on a bounded prefix so long texts fit in a btree.
        indexes = [
            models.Index(fields=["workspace", "definition", "value_number"], name="cfv_ws_def_number"),
            models.Index(fields=["workspace", "definition", "value_date"], name="cfv_ws_def_date"),
            models.Index(fields=["workspace", "definition", "value_boolean"], name="cfv_ws_def_boolean"),
            models.Index(F("workspace"), F("definition"), TEXT_KEY, name="cfv_ws_def_text"),
        ]

    def __str__(self) -> str:
        return f"{self.definition_id} on {self.record_id}"

    @property
    def record_id(self) -> str:
        return next(getattr(self, f"{name}_id") for name in RECORD_FIELDS.values() if getattr(self, f"{name}_id"))
