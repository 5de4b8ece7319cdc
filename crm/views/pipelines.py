from crm.models import Pipeline
from crm.selectors.pipelines import pipelines_with_stages
from crm.serializers.pipelines import PipelineSerializer
from crm.services import pipelines as services
from nodestash.viewsets import ResourceViewSet


class PipelineViewSet(ResourceViewSet):
    """Pipelines and their stages (embedded, ordered by position). Exactly one is the default."""

    model = Pipeline
    id_prefix = "pp"
    scope_resource = "pipelines"
    not_found_message = "Pipeline not found"
    serializer_class = PipelineSerializer
    sort_fields = ("created_at", "updated_at", "name")
    include_options = {"deal_count": "deals:read"}

    def refine_queryset(self, queryset):
        return pipelines_with_stages(queryset, deal_count="deal_count" in self.includes)

    def perform_create(self, serializer):
        return services.pipeline_create(workspace=self.workspace, **serializer.validated_data)

    def perform_update(self, serializer):
        return services.pipeline_update(
            workspace=self.workspace, pipeline=serializer.instance, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.pipeline_delete(workspace=self.workspace, pipeline=instance)
