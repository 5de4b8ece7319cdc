"""Pipelines and stages.

A stage is both the `pipeline_stage` resource (`/v1/pipelines/{id}/stages`) and a plain object
inside its pipeline's `stages` list; both show the same fields. `include=deal_count` adds
`deal_count` (a number) to the pipeline and to each stage.
"""

from rest_framework import serializers

from crm.models import Pipeline, Stage, StageType
from crm.serializers.fields import OptionalTextField
from crm.services.pipelines import MAX_STAGES
from nodestash.openapi import optional_output
from nodestash.serializers import ResourceShapeMixin, StrictBooleanField, StrictFieldsMixin

DEAL_COUNT = "deal_count"


class DealCountMixin:
    """`deal_count` appears only with `include=deal_count` (the view annotates it then).
    Goes after `ResourceShapeMixin`, so it edits the attributes before they are wrapped."""

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if DEAL_COUNT not in self.context.get("includes", ()):
            data.pop(DEAL_COUNT, None)
        return data

    def get_deal_count(self, instance) -> int:
        return getattr(instance, DEAL_COUNT, 0)


class StageFieldsSerializer(DealCountMixin, StrictFieldsMixin, serializers.ModelSerializer):
    """A pipeline stage: `position` is 0-based and dense within the pipeline."""

    pipeline_id = serializers.CharField(read_only=True)
    name = serializers.CharField(min_length=1, max_length=100)
    type = serializers.ChoiceField(choices=StageType.choices, default=StageType.OPEN)
    position = serializers.IntegerField(
        min_value=0, required=False, help_text="0-based; default: after the last stage. Others shift to make room."
    )
    deal_count = optional_output(serializers.SerializerMethodField(help_text="With `include=deal_count` only."))

    class Meta:
        model = Stage
        fields = ["id", "pipeline_id", "name", "type", "position", DEAL_COUNT, "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]


class StageSerializer(ResourceShapeMixin, StageFieldsSerializer):
    """A pipeline stage: `position` is 0-based and dense; inserts and moves shift the others."""

    resource_type = "pipeline_stage"


class EmbeddedStageSerializer(StageFieldsSerializer):
    """A stage inside its pipeline; on POST pipeline the list order gives the positions."""

    class Meta(StageFieldsSerializer.Meta):
        read_only_fields = [*StageFieldsSerializer.Meta.read_only_fields, "position"]


class PipelineSerializer(ResourceShapeMixin, DealCountMixin, StrictFieldsMixin, serializers.ModelSerializer):
    """A pipeline with its stages; exactly one pipeline of a workspace is the default."""

    resource_type = "pipeline"

    name = serializers.CharField(max_length=200)
    description = OptionalTextField(max_length=1000)
    is_default = StrictBooleanField(
        required=False, help_text="Exactly one pipeline is the default; `true` moves it here, `false` is refused."
    )
    stages = EmbeddedStageSerializer(
        many=True,
        required=False,
        min_length=1,
        max_length=MAX_STAGES,
        help_text=f"Ordered by position. POST only: 1 to {MAX_STAGES} stages with at least one `won` and one "
        "`lost` (default: the stages of the default pipeline); afterwards use the stages endpoints.",
    )
    deal_count = optional_output(serializers.SerializerMethodField(help_text="With `include=deal_count` only."))

    class Meta:
        model = Pipeline
        fields = ["id", "name", "description", "is_default", "stages", DEAL_COUNT, "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]

    def validate_stages(self, stages):
        if self.instance is not None:
            raise serializers.ValidationError("Stages change through /v1/pipelines/{id}/stages.")
        return stages

    def validate_is_default(self, value: bool) -> bool:
        if self.instance is not None and not value:
            raise serializers.ValidationError("To change the default, set is_default true on another pipeline.")
        return value
