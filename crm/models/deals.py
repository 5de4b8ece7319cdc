"""Deals: an opportunity moving through the stages of one pipeline (contract §8)."""

from django.db import models
from django.db.models import Q

from crm.models.pipelines import Pipeline, Stage
from nodestash.ids import PrefixedIdField
from workspaces.tenancy.models import WorkspaceOwnedModel

DEFAULT_CURRENCY = "EUR"
VALUE_MAX_DIGITS = 15
VALUE_DECIMAL_PLACES = 2


class Deal(WorkspaceOwnedModel):
    id = PrefixedIdField(prefix="dl")
    title = models.CharField(max_length=300)
    value = models.DecimalField(
        max_digits=VALUE_MAX_DIGITS, decimal_places=VALUE_DECIMAL_PLACES, null=True, blank=True
    )
    currency = models.CharField(max_length=3, default=DEFAULT_CURRENCY)
    # PROTECT: services refuse these deletes with a 409 first; the database backs them up.
    pipeline = models.ForeignKey(Pipeline, on_delete=models.PROTECT, related_name="deals", db_index=False)
    stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="deals", db_index=False)
    contact = models.ForeignKey(
        "crm.Contact", on_delete=models.SET_NULL, null=True, blank=True, related_name="deals", db_index=False
    )
    company = models.ForeignKey(
        "crm.Company", on_delete=models.SET_NULL, null=True, blank=True, related_name="deals", db_index=False
    )
    owner_id = models.CharField(max_length=100, blank=True, null=True)
    expected_close_date = models.DateField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    tags = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(value__gte=0), name="crm_deal_value_not_negative"),
        ]
        indexes = [
            models.Index(fields=["workspace", "created_at", "id"], name="crm_deal_ws_created"),
            models.Index(fields=["workspace", "updated_at", "id"], name="crm_deal_ws_updated"),
            models.Index(fields=["workspace", "value", "id"], name="crm_deal_ws_value"),
            models.Index(fields=["workspace", "expected_close_date", "id"], name="crm_deal_ws_close_date"),
            models.Index(fields=["workspace", "pipeline", "created_at"], name="crm_deal_ws_pipeline"),
            models.Index(fields=["workspace", "stage", "created_at"], name="crm_deal_ws_stage"),
            # contact/company also serve the SET NULL update when a contact or company is deleted.
            models.Index(fields=["contact", "workspace"], name="crm_deal_contact"),
            models.Index(fields=["company", "workspace"], name="crm_deal_company"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.id})"
