"""Deals. `include=contact,company,pipeline,stage` embeds each as a full resource in `attributes`."""

from decimal import Decimal
from functools import cached_property

from rest_framework import serializers

from crm.models import Company, Contact, Deal, Pipeline, Stage
from crm.models.deals import CURRENCY_CODE, DEFAULT_CURRENCY, VALUE_DECIMAL_PLACES, VALUE_MAX_DIGITS
from crm.serializers.companies import CompanySerializer
from crm.serializers.contacts import ContactSerializer
from crm.serializers.fields import OptionalTextField
from crm.serializers.pipelines import PipelineSerializer, StageSerializer
from crm.tags import TagsSerializerField
from customfields.serializers import CustomFieldsSerializerMixin
from nodestash.serializers import ResourceSerializer
from workspaces.tenancy.fields import WorkspaceRelatedField

INCLUDED_SERIALIZERS = {
    "contact": ContactSerializer,
    "company": CompanySerializer,
    "pipeline": PipelineSerializer,
    "stage": StageSerializer,
}


class ValueField(serializers.DecimalField):
    """DRF reads `""` as null for nullable decimals (a form habit); in JSON it is a bad number."""

    def validate_empty_values(self, data):
        if data == "":
            self.fail("invalid")
        return super().validate_empty_values(data)


class DealSerializer(CustomFieldsSerializerMixin, ResourceSerializer):
    """A deal in a stage of a pipeline; `closed_at` follows the stage type. `include=contact,
    company,pipeline,stage` embeds each as a full resource in `attributes`."""

    resource_type = "deal"
    custom_fields_entity_type = "deal"

    title = serializers.CharField(max_length=300)
    value = ValueField(
        max_digits=VALUE_MAX_DIGITS,
        decimal_places=VALUE_DECIMAL_PLACES,
        min_value=Decimal(0),
        required=False,
        allow_null=True,
        help_text="A number or numeric string ≥ 0, at most 2 decimals and 15 digits; returned as a string.",
    )
    currency = serializers.CharField(
        required=False, default=DEFAULT_CURRENCY, help_text="ISO 4217 code, upper-cased; default EUR."
    )
    pipeline_id = WorkspaceRelatedField(
        Pipeline, "pp", source="pipeline", required=False, help_text="Default: the workspace's default pipeline."
    )
    stage_id = WorkspaceRelatedField(
        Stage,
        "ps",
        source="stage",
        required=False,
        help_text="Must belong to the deal's pipeline. Default: the pipeline's first open stage.",
    )
    contact_id = WorkspaceRelatedField(Contact, "ct", source="contact", required=False, allow_null=True)
    company_id = WorkspaceRelatedField(Company, "co", source="company", required=False, allow_null=True)
    owner_id = OptionalTextField(max_length=100)
    tags = TagsSerializerField()

    class Meta:
        model = Deal
        fields = [
            "id",
            "title",
            "value",
            "currency",
            "pipeline_id",
            "stage_id",
            "contact_id",
            "company_id",
            "owner_id",
            "expected_close_date",
            "closed_at",
            "tags",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "closed_at", "created_at", "updated_at"]
        extra_kwargs = {"closed_at": {"help_text": "Set on entering a won or lost stage, cleared on reopening."}}

    def validate_currency(self, value: str) -> str:
        if not CURRENCY_CODE.match(value):
            raise serializers.ValidationError("currency must be a 3-letter code such as 'EUR'.")
        return value.upper()

    def validate_value(self, value: Decimal | None) -> Decimal | None:
        return None if value is None else value + 0  # `-0` is stored as 0

    def to_representation(self, instance):
        data = super().to_representation(instance)
        includes = self.context.get("includes", ())
        for name in INCLUDED_SERIALIZERS:
            if name in includes:
                related = getattr(instance, name)
                # Defence in depth: a reference can only point inside the workspace.
                inside = related is not None and related.workspace_id == instance.workspace_id
                data["attributes"][name] = self.embedded[name].to_representation(related) if inside else None
        return data

    @cached_property
    def embedded(self) -> dict:
        """One serializer per included resource for the whole page: building one per row (its
        fields are deep-copied each time) cost more than serializing the row."""
        nested = {**self.context, "includes": frozenset()}
        return {name: serializer_class(context=nested) for name, serializer_class in INCLUDED_SERIALIZERS.items()}
