"""Deals: an opportunity moving through the stages of one pipeline (contract §8)."""

import re

from django.db import models
from django.db.models import Q

from crm.models.pipelines import Pipeline, Stage
from crm.tags import TagsField
from nodestash.ids import PrefixedIdField
from workspaces.tenancy.models import WorkspaceOwnedModel

DEFAULT_CURRENCY = "EUR"
CURRENCY_CODE = re.compile(r"^[A-Za-z]{3}$")  # stored upper-cased
VALUE_MAX_DIGITS = 15
VALUE_DECIMAL_PLACES = 2


class Deal(WorkspaceOwnedModel):
    id = PrefixedIdField(prefix="dl")
    title = models.CharField(max_length=300)
    value = models.DecimalField(max_digits=VALUE_MAX_DIGITS, decimal_places=VALUE_DECIMAL_PLACES, null=True, blank=True)
    currency = models.CharField(max_length=3, default=DEFAULT_CURRENCY)
    # PROTECT: services refuse these deletes with a 409 first; the database backs them up.
    # The plain FK indexes serve the deletion checks and `SET NULL` of deleted contacts/companies.
    pipeline = models.ForeignKey(Pipeline, on_delete=models.PROTECT, related_name="deals")
    stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="deals")
    contact = models.ForeignKey("crm.Contact", on_delete=models.SET_NULL, null=True, blank=True, related_name="deals")
    company = models.ForeignKey("crm.Company", on_delete=models.SET_NULL, null=True, blank=True, related_name="deals")
    owner_id = models.CharField(max_length=100, blank=True, null=True)
    expected_close_date = models.DateField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    tags = TagsField()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(value__gte=0), name="crm_deal_value_not_negative"),
        ]
        # Each serves a sort and its keyset cursor, or an exact filter with the default sort.
        indexes = [
            models.Index(fields=["workspace", "created_at", "id"], name="crm_deal_ws_created"),
            models.Index(fields=["workspace", "updated_at", "id"], name="crm_deal_ws_updated"),
            models.Index(fields=["workspace", "value", "id"], name="crm_deal_ws_value"),
            models.Index(fields=["workspace", "expected_close_date", "id"], name="crm_deal_ws_close_date"),
            models.Index(fields=["workspace", "pipeline", "created_at", "id"], name="crm_deal_ws_pipeline"),
            models.Index(fields=["workspace", "stage", "created_at", "id"], name="crm_deal_ws_stage"),
            models.Index(fields=["workspace", "contact", "created_at", "id"], name="crm_deal_ws_contact"),
            models.Index(fields=["workspace", "company", "created_at", "id"], name="crm_deal_ws_company"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.id})"
